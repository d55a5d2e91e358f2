using System.Diagnostics;
using System.Net.Http.Headers;
using Akka.Actor;
using Akka.Event;
using static Envd.Actors.Logs.LogExportProtocol;

namespace Envd.Actors.Logs;

/// <summary>
/// Ships the daemon's log lines to the collector the metadata service names, one POST per line with the sandbox and
/// template ids added. Lines wait in a bounded <see cref="LogBuffer"/>, so a slow or dead collector costs dropped
/// lines, never a blocked daemon. Export errors go to stderr at most once a minute, not into the logs they would feed.
/// </summary>
public sealed class LogExporterActor : ReceiveActor
{
    public static readonly TimeSpan PostTimeout = TimeSpan.FromSeconds(10);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LogBuffer _buffer;
    private readonly HttpClient _http = new() { Timeout = PostTimeout };
    private readonly CancellationTokenSource _stopping = new();
    private ExportLogs? _destination;
    private bool _pumping;
    private ErrorReportThrottle _errors = ErrorReportThrottle.Initial;

    public LogExporterActor(LogBuffer buffer)
    {
        _buffer = buffer;
        Receive<ExportLogs>(HandleExportLogs);
        Receive<LineTaken>(HandleLineTaken);
        Receive<LineShipped>(_ => TakeNext());
        Receive<ShippingFailed>(HandleShippingFailed);
    }

    public static Props Props(LogBuffer buffer) => Akka.Actor.Props.Create(() => new LogExporterActor(buffer));

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _http.Dispose();
    }

    private void HandleExportLogs(ExportLogs message)
    {
        _destination = message;
        _log.Info("Exporting logs to {0}", message.Collector);
        if (!_pumping)
        {
            _pumping = true;
            TakeNext();
        }
    }

    private void TakeNext() =>
        _buffer.TakeAsync(_stopping.Token).PipeTo(Self, success: line => new LineTaken(line), failure: e => new ShippingFailed(e));

    private void HandleLineTaken(LineTaken message) =>
        Ship(_destination!, message.Line, _stopping.Token).PipeTo(Self, success: () => LineShipped.Instance, failure: e => new ShippingFailed(e));

    private void HandleShippingFailed(ShippingFailed message)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        (_errors, var suppressed) = _errors.Record(Stopwatch.GetElapsedTime(0));
        if (suppressed is { } count)
        {
            Console.Error.WriteLine($"log export failed: {message.Error.GetBaseException().Message} ({count} earlier errors suppressed)");
        }

        TakeNext();
    }

    private async Task Ship(ExportLogs destination, string line, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, destination.Collector)
        {
            Content = new StringContent(Tag(line, destination), new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.ConnectionClose = true;
        using var response = await _http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Adds the ids as the first fields of the JSON object, without re-parsing the line.</summary>
    public static string Tag(string line, ExportLogs destination)
    {
        var ids = $"\"instanceID\":{System.Text.Json.JsonSerializer.Serialize(destination.InstanceId)},\"envID\":{System.Text.Json.JsonSerializer.Serialize(destination.TemplateId)}";
        return line.Length > 2 && line[0] == '{' ? "{" + ids + "," + line[1..] : "{" + ids + "}";
    }

    private sealed record LineTaken(string Line);

    private sealed record ShippingFailed(Exception Error);

    private sealed class LineShipped
    {
        public static readonly LineShipped Instance = new();

        private LineShipped()
        {
        }
    }
}
