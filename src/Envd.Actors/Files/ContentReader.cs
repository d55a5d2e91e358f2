namespace Envd.Actors.Files;

/// <summary>
/// Reads a part's content in <see cref="FileChunk"/>s and tells when it has stopped touching the stream. A request
/// body must not be read once its request has ended, so a transfer answers only after <see cref="Stopped"/>.
/// </summary>
/// <remarks>
/// Reads are never cancelled by a token: a body read cancelled that way leaves Kestrel's connection input mid-read, so it
/// cannot finish the request cleanly. What ends an upload early ends its reads instead: the client leaving, the
/// minimum data rate, or the endpoint aborting the request.
/// </remarks>
public sealed class ContentReader(Stream content, int chunkSize = FileChunk.Size)
{
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;

    /// <summary>
    /// Completes when no read is in flight and none can start: at once if reading never began, else when the chunk
    /// sequence has ended or been disposed. Meaningful once the stream consuming <see cref="ReadAllAsync"/> has ended.
    /// </summary>
    public Task Stopped => Volatile.Read(ref _started) == 0 ? Task.CompletedTask : _stopped.Task;

    /// <summary>The content to its end in chunks of <c>chunkSize</c> bytes (the last one shorter).</summary>
    public async IAsyncEnumerable<FileChunk> ReadAllAsync()
    {
        Volatile.Write(ref _started, 1);
        var pool = FileChunk.PoolFor(chunkSize);
        try
        {
            while (true)
            {
                var buffer = pool.Rent(chunkSize);
                var filled = 0;
                try
                {
                    int read;
                    while (filled < chunkSize
                        && (read = await content.ReadAsync(buffer.AsMemory(filled, chunkSize - filled))) > 0)
                    {
                        filled += read;
                    }
                }
                catch
                {
                    pool.Return(buffer);
                    throw;
                }

                if (filled == 0)
                {
                    pool.Return(buffer);
                    yield break;
                }

                yield return new FileChunk(buffer, filled, pool);
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }
}
