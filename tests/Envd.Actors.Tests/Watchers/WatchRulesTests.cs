using Envd.Actors.Watchers;
using Envd.Linux.Watching;

namespace Envd.Actors.Tests.Watchers;

public sealed class WatchRulesTests
{
    private static readonly WatchTree Tree = WatchTree.For("/w").Add(1, "").Add(2, "sub").Add(3, "sub/deeper").Add(4, "subway");

    [Fact]
    public void One_raw_event_becomes_one_event_per_operation_in_upstream_order()
    {
        var raw = new InotifyEvent(1, InotifyMask.Delete | InotifyMask.Modify | InotifyMask.Attrib | InotifyMask.MovedFrom | InotifyMask.Create, 0, "f");

        var events = WatchRules.Translate(Tree, raw);

        Assert.Equal(
            [WatchEventType.Create, WatchEventType.Rename, WatchEventType.Chmod, WatchEventType.Write, WatchEventType.Remove],
            events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("f", e.Name));
    }

    [Fact]
    public void Names_are_relative_to_the_watched_root()
    {
        Assert.Equal("sub/deeper/x", WatchRules.Translate(Tree, new InotifyEvent(3, InotifyMask.Create, 0, "x")).Single().Name);
        Assert.Equal(WatchEventType.Create, WatchRules.Translate(Tree, new InotifyEvent(1, InotifyMask.MovedTo, 0, "in")).Single().Type);
    }

    [Fact]
    public void The_root_reports_itself_as_dot_and_subdirectories_do_not_report_themselves()
    {
        Assert.Equal(new WatchEvent(".", WatchEventType.Remove), WatchRules.Translate(Tree, new InotifyEvent(1, InotifyMask.DeleteSelf, 0, "")).Single());
        Assert.Equal(new WatchEvent(".", WatchEventType.Rename), WatchRules.Translate(Tree, new InotifyEvent(1, InotifyMask.MoveSelf, 0, "")).Single());
        Assert.Empty(WatchRules.Translate(Tree, new InotifyEvent(2, InotifyMask.DeleteSelf, 0, "")));
        Assert.Empty(WatchRules.Translate(Tree, new InotifyEvent(99, InotifyMask.Create, 0, "x")));
    }

    [Fact]
    public void Watches_under_a_directory_include_it_and_its_descendants_only()
    {
        Assert.Equal([2, 3], Tree.WatchesUnder("sub").Order());
        Assert.Equal("/w", Tree.FullPath("."));
        Assert.Equal("/w/sub/x", Tree.FullPath("sub/x"));
    }

    [Fact]
    public void Staged_uploads_are_told_from_client_files_by_their_marker()
    {
        Assert.True(WatchRules.IsStagedUpload(".w.txt.envd-upload-1065e59fd803"));
        Assert.False(WatchRules.IsStagedUpload("w.txt"));
        Assert.False(WatchRules.IsStagedUpload(".envd-upload"));
    }

    [Fact]
    public void A_committed_upload_reads_as_the_target_created_then_written()
    {
        var events = WatchRules.UploadCommitted(Tree, new InotifyEvent(2, InotifyMask.MovedTo, 7, "w.txt"));

        Assert.Equal([new WatchEvent("sub/w.txt", WatchEventType.Create), new WatchEvent("sub/w.txt", WatchEventType.Write)], events);
        Assert.Empty(WatchRules.UploadCommitted(Tree, new InotifyEvent(99, InotifyMask.MovedTo, 7, "w.txt")));
    }

    [Fact]
    public void Only_create_write_and_chmod_carry_an_entry()
    {
        Assert.True(WatchRules.CarriesEntry(WatchEventType.Create));
        Assert.True(WatchRules.CarriesEntry(WatchEventType.Write));
        Assert.True(WatchRules.CarriesEntry(WatchEventType.Chmod));
        Assert.False(WatchRules.CarriesEntry(WatchEventType.Remove));
        Assert.False(WatchRules.CarriesEntry(WatchEventType.Rename));
    }
}
