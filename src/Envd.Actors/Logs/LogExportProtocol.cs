namespace Envd.Actors.Logs;

public static class LogExportProtocol
{
    /// <summary>Ship log lines to <paramref name="Collector"/>, each tagged with the sandbox and template ids.</summary>
    public sealed record ExportLogs(Uri Collector, string InstanceId, string TemplateId);
}
