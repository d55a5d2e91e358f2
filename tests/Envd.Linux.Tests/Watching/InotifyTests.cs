using System.Buffers.Binary;
using System.Text;
using Envd.Linux.Watching;

namespace Envd.Linux.Tests.Watching;

public sealed class InotifyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("envd-inotify-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Parse_splits_a_read_buffer_into_events_and_strips_name_padding()
    {
        var buffer = Event(1, InotifyMask.Create | InotifyMask.IsDir, 0, "dir", 16)
            .Concat(Event(2, InotifyMask.DeleteSelf, 7, "", 0))
            .ToArray();

        var events = InotifyEvent.Parse(buffer);

        Assert.Equal([new InotifyEvent(1, InotifyMask.Create | InotifyMask.IsDir, 0, "dir"), new InotifyEvent(2, InotifyMask.DeleteSelf, 7, "")], events);
        Assert.True(events[0].Has(InotifyMask.IsDir));
    }

    [Fact]
    public void Parse_ignores_a_truncated_tail() =>
        Assert.Single(InotifyEvent.Parse(Event(1, InotifyMask.Modify, 0, "a", 16).Concat(Event(1, InotifyMask.Modify, 0, "b", 16)[..20]).ToArray()));

    [Fact]
    public void A_watch_reports_what_happens_in_the_directory()
    {
        using var inotify = new Inotify();
        var wd = inotify.AddWatch(_root);

        File.WriteAllText(Path.Combine(_root, "new.txt"), "x");
        var batch = inotify.ReadBatch()!;

        var created = batch.First();
        Assert.Equal(wd, created.Wd);
        Assert.Equal("new.txt", created.Name);
        Assert.True(created.Has(InotifyMask.Create));
    }

    [Fact]
    public async Task Stop_wakes_a_blocked_reader()
    {
        using var inotify = new Inotify();
        inotify.AddWatch(_root);
        var reader = Task.Factory.StartNew(inotify.ReadBatch, TaskCreationOptions.LongRunning);

        await Task.Delay(100);
        inotify.Stop();

        Assert.Null(await reader.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    private static byte[] Event(int wd, uint mask, uint cookie, string name, int padded)
    {
        var bytes = new byte[16 + padded];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, wd);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), mask);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), cookie);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)padded);
        Encoding.UTF8.GetBytes(name).CopyTo(bytes, 16);
        return bytes;
    }
}
