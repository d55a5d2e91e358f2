using System.Text;

namespace Envd.Actors.Logs;

/// <summary>
/// Log lines waiting to be shipped. Adding never blocks: a line over <see cref="MaxLineBytes"/> is dropped, and once
/// <see cref="MaxBytes"/> are queued the oldest lines go first. One consumer takes lines in order.
/// </summary>
public sealed class LogBuffer
{
    public const int MaxLineBytes = 192 * 1024;
    public const long MaxBytes = 8 * 1024 * 1024;

    private readonly Queue<(string Line, int Bytes)> _lines = new();
    private readonly object _gate = new();
    private TaskCompletionSource? _available;
    private long _bytes;

    /// <summary>Lines dropped so far, too long or pushed out by newer ones.</summary>
    public long Dropped { get; private set; }

    public long QueuedBytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public void Add(string line)
    {
        var bytes = Encoding.UTF8.GetByteCount(line);
        TaskCompletionSource? available;
        lock (_gate)
        {
            if (bytes > MaxLineBytes)
            {
                Dropped++;
                return;
            }

            while (_bytes + bytes > MaxBytes && _lines.TryDequeue(out var oldest))
            {
                _bytes -= oldest.Bytes;
                Dropped++;
            }

            _lines.Enqueue((line, bytes));
            _bytes += bytes;
            available = _available;
            _available = null;
        }

        available?.TrySetResult();
    }

    /// <summary>The oldest line, waiting for one if there is none.</summary>
    public async Task<string> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_lines.TryDequeue(out var next))
                {
                    _bytes -= next.Bytes;
                    return next.Line;
                }

                _available ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _available.Task;
            }

            await wait.WaitAsync(cancellationToken);
        }
    }
}
