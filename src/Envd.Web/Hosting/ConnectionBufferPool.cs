using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace Envd.Web.Hosting;

/// <summary>
/// The socket transport's buffers, in blocks of <see cref="BlockSize"/> instead of Kestrel's 4 KiB: a pipe segment is
/// what one receive fills, so an upload takes ~20 receives per MiB instead of ~500. Blocks that stay unused for a whole
/// <see cref="EvictionPeriod"/> are let go, so the memory a burst of connections needed does not stay with the daemon.
/// </summary>
internal sealed class ConnectionBufferPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    public static readonly TimeSpan EvictionPeriod = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<Block> _free = new();
    private readonly Timer _eviction;
    private int _freeCount;

    /// <summary>The fewest blocks free at any moment since the last eviction: that many were not needed at all.</summary>
    private int _fewestFree;

    private volatile bool _disposed;

    public ConnectionBufferPool() => _eviction = new Timer(_ => Evict(), null, EvictionPeriod, EvictionPeriod);

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks kept for reuse right now.</summary>
    public int FreeCount => Volatile.Read(ref _freeCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_free.TryDequeue(out var block))
        {
            return new Block(this);
        }

        // Racing rents may leave a higher value here: at worst a block is let go that is soon allocated again.
        var free = Interlocked.Decrement(ref _freeCount);
        if (free < Volatile.Read(ref _fewestFree))
        {
            Volatile.Write(ref _fewestFree, free);
        }

        return block;
    }

    /// <summary>Lets go of the blocks no rent needed since the last call.</summary>
    public void Evict()
    {
        var unused = Volatile.Read(ref _fewestFree);
        while (unused-- > 0 && _free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _freeCount);
        }

        Volatile.Write(ref _fewestFree, Volatile.Read(ref _freeCount));
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _eviction.Dispose();
        _free.Clear();
    }

    private void Return(Block block)
    {
        if (!_disposed)
        {
            _free.Enqueue(block);
            Interlocked.Increment(ref _freeCount);
        }
    }

    /// <summary>Pinned for good (on the pinned object heap), so socket reads and writes need no pinning of their own.</summary>
    private sealed class Block(ConnectionBufferPool pool) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = MemoryMarshal.CreateFromPinnedArray(
            GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true), 0, BlockSize);

        public void Dispose() => pool.Return(this);
    }

    /// <summary>Replaces Kestrel's pool factory, so every connection's pipes use these blocks.</summary>
    internal sealed class Factory : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new ConnectionBufferPool();
    }
}
