using Envd.Linux.Files;

namespace Envd.Linux.Tests.Files;

/// <summary>A daemon killed mid-upload leaves staged files behind; the next daemon to open the journal removes them.</summary>
public sealed class StagingJournalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("envd-journal-files-").FullName;
    private readonly string _root = Path.Combine(Directory.CreateTempSubdirectory("envd-journal-").FullName, "staging");

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        Directory.Delete(Path.GetDirectoryName(_root)!, recursive: true);
    }

    [Fact]
    public void The_next_daemon_removes_what_a_dead_one_left_staged_and_only_that()
    {
        var target = Path.Combine(_dir, "file.txt");
        File.WriteAllText(target, "old");
        var dead = StagingJournal.Open(_root, out _);
        var stray = StagedFile.Create(target, dead);
        RandomAccess.Write(stray.Handle, "half"u8, 0);
        stray.Handle.Dispose();
        var deadDirectory = dead.Directory;
        dead.Dispose();

        using var next = StagingJournal.Open(_root, out var removed);

        Assert.Equal([stray.Path], removed);
        Assert.False(File.Exists(stray.Path));
        Assert.Equal("old", File.ReadAllText(target));
        Assert.False(Directory.Exists(deadDirectory));
        Assert.Equal([next.Directory], Directory.GetDirectories(_root));
    }

    [Fact]
    public void A_live_daemons_journal_is_left_alone()
    {
        using var live = StagingJournal.Open(_root, out _);
        using var staged = StagedFile.Create(Path.Combine(_dir, "busy.txt"), live);

        using var other = StagingJournal.Open(_root, out var removed);

        Assert.Empty(removed);
        Assert.True(File.Exists(staged.Path));
    }

    [Fact]
    public void A_staged_file_renamed_before_the_crash_is_not_touched()
    {
        var target = Path.Combine(_dir, "done.txt");
        var dead = StagingJournal.Open(_root, out _);
        var staged = StagedFile.Create(target, dead);
        RandomAccess.Write(staged.Handle, "new"u8, 0);
        staged.Handle.Dispose();
        File.Move(staged.Path, target);
        dead.Dispose();

        using var next = StagingJournal.Open(_root, out var removed);

        Assert.Empty(removed);
        Assert.Equal("new", File.ReadAllText(target));
    }

    [Fact]
    public void An_entry_pointing_at_anything_but_a_staged_regular_file_removes_nothing()
    {
        var userFile = Path.Combine(_dir, "precious.txt");
        File.WriteAllText(userFile, "keep");
        var stagedNamedDirectory = Path.Combine(_dir, ".x" + StagedFile.Marker + "dir");
        Directory.CreateDirectory(stagedNamedDirectory);
        var stagedNamedLink = Path.Combine(_dir, ".y" + StagedFile.Marker + "link");
        File.CreateSymbolicLink(stagedNamedLink, userFile);
        var dead = StagingJournal.Open(_root, out _);
        dead.Record(userFile);
        dead.Record(stagedNamedDirectory);
        dead.Record(stagedNamedLink);
        dead.Dispose();

        using var next = StagingJournal.Open(_root, out var removed);

        Assert.Empty(removed);
        Assert.Equal("keep", File.ReadAllText(userFile));
        Assert.True(Directory.Exists(stagedNamedDirectory));
        Assert.True(File.Exists(stagedNamedLink));
    }

    [Fact]
    public void A_clean_shutdown_leaves_no_journal_behind()
    {
        var journal = StagingJournal.Open(_root, out _);
        using (var staged = StagedFile.Create(Path.Combine(_dir, "a.txt"), journal))
        {
            staged.Commit(0, 0, new Dictionary<string, string>());
        }

        journal.Dispose();

        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }
}
