using Envd.Actors.Logs;

namespace Envd.Actors.Tests.Logs;

public sealed class LogBufferTests
{
    [Fact]
    public async Task Lines_come_out_in_order()
    {
        var buffer = new LogBuffer();
        buffer.Add("one");
        buffer.Add("two");

        Assert.Equal("one", await buffer.TakeAsync(CancellationToken.None));
        Assert.Equal("two", await buffer.TakeAsync(CancellationToken.None));
    }

    [Fact]
    public void A_line_over_192_KiB_is_dropped()
    {
        var buffer = new LogBuffer();

        buffer.Add(new string('x', LogBuffer.MaxLineBytes + 1));

        Assert.Equal(1, buffer.Dropped);
        Assert.Equal(0, buffer.QueuedBytes);
    }

    [Fact]
    public async Task A_full_buffer_drops_the_oldest_lines_first()
    {
        var buffer = new LogBuffer();
        var line = new string('x', 100 * 1024);
        for (var i = 0; i < 100; i++)
        {
            buffer.Add(i + line);
        }

        Assert.True(buffer.QueuedBytes <= LogBuffer.MaxBytes);
        Assert.Equal(100 - (int)(LogBuffer.MaxBytes / (line.Length + 2)), buffer.Dropped);
        Assert.StartsWith(buffer.Dropped.ToString(), await buffer.TakeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_waiting_taker_gets_the_next_line_added()
    {
        var buffer = new LogBuffer();
        var take = buffer.TakeAsync(CancellationToken.None);
        Assert.False(take.IsCompleted);

        buffer.Add("late");

        Assert.Equal("late", await take.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
