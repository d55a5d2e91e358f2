namespace Envd.Web.Hosting;

public static class EnvdVersion
{
    /// <summary>
    /// The upstream envd version whose behaviour Envd implements; SDKs and the orchestrator gate features on it. 0.6.11
    /// is the last release before live self-upgrade (0.6.12), which Envd does not implement: claiming 0.6.12 or later
    /// would make the orchestrator rely on <c>/upgrade</c>. Everything gated at or below it (SDK features up to 0.6.4,
    /// cgroup freeze 0.6.3, <c>/collapse</c> 0.6.5, <c>/fsfreeze</c> 0.6.6) is served.
    /// </summary>
    public const string Upstream = "0.6.11";

    public static string Commit =>
        typeof(EnvdVersion).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SourceCommit")?.Value ?? "unknown";
}
