using System.Globalization;
using Envd.Linux.Users;
using Envd.Web.Http;

namespace Envd.Web.Connect;

/// <summary>Everything a handler knows about the call besides its request message.</summary>
public sealed class ConnectCallContext
{
    public const string TimeoutHeader = "Connect-Timeout-Ms";
    public const string KeepaliveHeader = "Keepalive-Ping-Interval";

    /// <summary>Upstream's interval when the client does not ask for one.</summary>
    public static readonly TimeSpan DefaultKeepaliveInterval = TimeSpan.FromSeconds(90);

    internal ConnectCallContext(HttpContext httpContext, string procedure, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Procedure = procedure;
        Timeout = timeout;
        CancellationToken = cancellationToken;
        KeepaliveInterval = ParseKeepalive(httpContext.Request.Headers[KeepaliveHeader].ToString());
        OperationId = OperationIds.Of(httpContext);
    }

    public HttpContext HttpContext { get; }

    /// <summary>The called procedure, e.g. <c>/filesystem.Filesystem/Stat</c>.</summary>
    public string Procedure { get; }

    /// <summary>The client's <c>Connect-Timeout-Ms</c>, if it sent a positive one; <see cref="CancellationToken"/> fires when it runs out.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>How long a stream may stay silent before a keepalive message goes out (<c>Keepalive-Ping-Interval</c>, seconds).</summary>
    public TimeSpan KeepaliveInterval { get; }

    /// <summary>Fires when the client goes away or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Fires only when the client goes away, never at the deadline.</summary>
    public CancellationToken RequestAborted => HttpContext.RequestAborted;

    public IServiceProvider Services => HttpContext.RequestServices;

    public long OperationId { get; }

    /// <summary>The Basic-auth user, else the default user from <c>/init</c>. Only RPCs that act as a user call this.</summary>
    /// <exception cref="ConnectException">unauthenticated when there is no such user.</exception>
    public UserAccount RequireUser()
    {
        var lookup = Services.GetRequiredService<RequestUser>().ForRpc(HttpContext);
        return lookup.User ?? throw new ConnectException(ConnectCode.Unauthenticated, lookup.Error!);
    }

    /// <summary>Connect's timeout header: at most 10 digits of milliseconds.</summary>
    /// <exception cref="ConnectException">invalid_argument for anything else.</exception>
    internal static TimeSpan? ParseTimeout(string header)
    {
        if (header.Length == 0)
        {
            return null;
        }

        if (header.Length > 10 || !long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var millis))
        {
            throw new ConnectException(ConnectCode.InvalidArgument, $"protocol error: invalid {TimeoutHeader} \"{header}\"");
        }

        return millis > 0 ? TimeSpan.FromMilliseconds(millis) : null;
    }

    private static TimeSpan ParseKeepalive(string header) =>
        int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : DefaultKeepaliveInterval;
}
