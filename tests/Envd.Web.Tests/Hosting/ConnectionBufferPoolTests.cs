using Envd.Web.Hosting;
using Envd.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Envd.Web.Tests.Hosting;

public sealed class ConnectionBufferPoolTests
{
    [Fact]
    public async Task The_daemon_gives_kestrel_these_blocks()
    {
        await using var server = await EnvdServer.StartAsync();

        using var pool = server.Services.GetRequiredService<IMemoryPoolFactory<byte>>().Create();

        Assert.Equal(ConnectionBufferPool.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void Blocks_are_large_and_reused_once_returned()
    {
        using var pool = new ConnectionBufferPool();

        var first = pool.Rent();
        var memory = first.Memory;
        first.Dispose();
        using var second = pool.Rent(ConnectionBufferPool.BlockSize);

        Assert.Equal(ConnectionBufferPool.BlockSize, memory.Length);
        Assert.True(second.Memory.Equals(memory));
    }

    [Fact]
    public void A_rent_larger_than_a_block_is_refused()
    {
        using var pool = new ConnectionBufferPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(ConnectionBufferPool.BlockSize + 1));
    }

    [Fact]
    public void Eviction_lets_go_of_the_blocks_no_rent_needed_since_the_last_one()
    {
        using var pool = new ConnectionBufferPool();
        var rented = Enumerable.Range(0, 10).Select(_ => pool.Rent()).ToList();
        rented.ForEach(block => block.Dispose());
        pool.Evict();
        Assert.Equal(10, pool.FreeCount);

        // Three stay in use through the next period: the seven never needed go, the three come back and stay.
        var busy = Enumerable.Range(0, 3).Select(_ => pool.Rent()).ToList();
        busy.ForEach(block => block.Dispose());
        pool.Evict();
        Assert.Equal(3, pool.FreeCount);

        pool.Evict();
        Assert.Equal(0, pool.FreeCount);
    }
}
