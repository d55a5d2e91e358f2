namespace Envd.Web.Hosting;

public static class EnvdVersion
{
    /// <summary>The upstream envd version whose behaviour Envd implements; SDKs and the orchestrator gate features on it.</summary>
    public const string Upstream = "0.6.4";

    public static string Commit =>
        typeof(EnvdVersion).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SourceCommit")?.Value ?? "unknown";
}
