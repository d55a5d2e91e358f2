namespace Envd.Web.Http;

/// <summary>A process-wide counter that numbers requests, so each request's log lines can be found together.</summary>
public static class OperationIds
{
    private static long _last;
    private static readonly object Key = new();

    public static long Of(HttpContext context)
    {
        if (context.Items.TryGetValue(Key, out var id) && id is long known)
        {
            return known;
        }

        var next = Interlocked.Increment(ref _last);
        context.Items[Key] = next;
        return next;
    }
}
