using System.Collections;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Envd.Actors.Hosting;

/// <summary>
/// The daemon's Akka logger: each actor log event becomes one Microsoft.Extensions.Logging entry, categorised by the
/// actor's class, led by the actor path, and with the values of named templates (<c>{OperationId}</c>) kept as fields,
/// so the console and <c>-verbose</c> JSON lines carry no second timestamp or level.
/// </summary>
public sealed class ActorEventLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory _factory;
    private readonly Dictionary<Type, ILogger> _loggers = [];

    public ActorEventLogger()
    {
        _factory = DependencyResolver.For(Context.System).Resolver.GetService<ILoggerFactory>();
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(HandleLogEvent);
    }

    private void HandleLogEvent(LogEvent logEvent)
    {
        var type = logEvent.LogClass ?? typeof(ActorSystem);
        if (!_loggers.TryGetValue(type, out var logger))
        {
            logger = _factory.CreateLogger(type.FullName ?? type.Name);
            _loggers[type] = logger;
        }

        var level = logEvent.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => Microsoft.Extensions.Logging.LogLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => Microsoft.Extensions.Logging.LogLevel.Information,
            Akka.Event.LogLevel.WarningLevel => Microsoft.Extensions.Logging.LogLevel.Warning,
            _ => Microsoft.Extensions.Logging.LogLevel.Error,
        };
        if (logger.IsEnabled(level))
        {
            logger.Log(level, default, new Entry(logEvent), logEvent.Cause, static (entry, _) => entry.ToString());
        }
    }

    /// <summary>The structured state of one entry: the actor path, the template's named values, and the template.</summary>
    private sealed class Entry : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly List<KeyValuePair<string, object?>> _fields;
        private readonly string _text;

        public Entry(LogEvent logEvent)
        {
            _fields = [new("ActorPath", logEvent.LogSource)];
            if (logEvent.TryGetProperties(out var properties) && properties is not null)
            {
                _fields.AddRange(properties.Where(p => !char.IsAsciiDigit(p.Key[0])).Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)));
            }

            _fields.Add(new("{OriginalFormat}", "{ActorPath} " + logEvent.GetTemplate()));
            _text = $"{logEvent.LogSource} {logEvent.Message}";
        }

        public int Count => _fields.Count;

        public KeyValuePair<string, object?> this[int index] => _fields[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _fields.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => _text;
    }
}
