using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Envd.Actors.Logs;

/// <summary>
/// Writes every log entry (actor logs arrive here through Akka's logger bridge) as one zerolog-style JSON line into a
/// <see cref="LogBuffer"/>, for the exporter to ship. Logging only ever enqueues.
/// </summary>
public sealed class ExportedLogProvider(LogBuffer buffer) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ExportedLogger(categoryName, buffer);

    public void Dispose()
    {
    }

    /// <summary>One JSON object: timestamp (RFC 3339, UTC), level, logger, message and, when there is one, error.</summary>
    public static string Format(DateTimeOffset timestamp, LogLevel level, string category, string message, Exception? exception)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", level switch
            {
                LogLevel.Trace => "trace",
                LogLevel.Debug => "debug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "error",
                _ => "fatal",
            });
            json.WriteString("logger", category);
            json.WriteString("message", message);
            if (exception is not null)
            {
                json.WriteString("error", exception.ToString());
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class ExportedLogger(string category, LogBuffer buffer) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                buffer.Add(Format(DateTimeOffset.UtcNow, logLevel, category, formatter(state, exception), exception));
            }
        }
    }
}
