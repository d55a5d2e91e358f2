namespace Envd.Actors.Init;

public static class InitProtocol
{
    public sealed record VolumeMount(string NfsTarget, string Path);

    /// <summary>The body of <c>POST /init</c>, every field optional.</summary>
    public sealed record InitRequest(
        string? AccessToken = null,
        DateTimeOffset? Timestamp = null,
        IReadOnlyDictionary<string, string>? EnvVars = null,
        string? DefaultUser = null,
        string? DefaultWorkdir = null,
        string? HyperloopIp = null,
        string? LifecycleId = null,
        IReadOnlyList<VolumeMount>? VolumeMounts = null,
        string? CaBundle = null);

    /// <summary>Apply an /init request; <paramref name="Aborted"/> lets a request that gave up while queued change nothing.</summary>
    public sealed record ApplyInit(InitRequest Request, long OperationId, CancellationToken Aborted);

    public enum InitOutcome
    {
        Applied,
        Stale,
        Unauthorized,
        Invalid,
        Cancelled,
    }

    public sealed record InitResult(InitOutcome Outcome, string? Message = null);

    /// <summary>Sets an internal variable (for example the sandbox id learned from the metadata service).</summary>
    public sealed record SetInternalEnv(string Key, string Value);
}
