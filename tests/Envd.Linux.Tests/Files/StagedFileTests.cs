using Envd.Linux.Files;

namespace Envd.Linux.Tests.Files;

public sealed class StagedFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("envd-staged-").FullName;
    private readonly string _journalRoot = Directory.CreateTempSubdirectory("envd-staged-journal-").FullName;
    private readonly StagingJournal _journal;

    public StagedFileTests() => _journal = StagingJournal.Open(_journalRoot, out _);

    public void Dispose()
    {
        _journal.Dispose();
        Directory.Delete(_dir, recursive: true);
        Directory.Delete(_journalRoot, recursive: true);
    }

    private string[] JournalEntries() => Directory.GetFileSystemEntries(_journal.Directory).Where(e => Path.GetFileName(e) != "lock").ToArray();

    [Fact]
    public void The_target_keeps_its_old_content_until_commit_and_then_has_the_new_one()
    {
        var target = Path.Combine(_dir, "file.txt");
        File.WriteAllText(target, "old");
        using var staged = StagedFile.Create(target, _journal);
        RandomAccess.Write(staged.Handle, "new content"u8, 0);

        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal(_dir, Path.GetDirectoryName(staged.Path));
        Assert.StartsWith(".file.txt" + StagedFile.Marker, Path.GetFileName(staged.Path));

        staged.Commit(0, 0, new Dictionary<string, string> { ["k"] = "v" });

        Assert.Equal("new content", File.ReadAllText(target));
        Assert.Equal(new Dictionary<string, string> { ["k"] = "v" }, ExtendedAttributes.ReadMetadata(target));
        Assert.Equal([target], Directory.GetFiles(_dir));
        Assert.Empty(JournalEntries());
    }

    [Fact]
    public void Disposing_uncommitted_removes_the_staged_file_and_leaves_the_target_alone()
    {
        var target = Path.Combine(_dir, "file.txt");
        File.WriteAllText(target, "old");

        using (var staged = StagedFile.Create(target, _journal))
        {
            RandomAccess.Write(staged.Handle, "partial"u8, 0);
            Assert.Equal(staged.Path, new FileInfo(Assert.Single(JournalEntries())).LinkTarget);
        }

        Assert.Empty(JournalEntries());

        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal([target], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Commit_keeps_the_mode_of_the_file_it_replaces()
    {
        var target = Path.Combine(_dir, "script.sh");
        File.WriteAllText(target, "old");
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        using var staged = StagedFile.Create(target, _journal);

        staged.Commit(0, 0, new Dictionary<string, string>());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserExecute, File.GetUnixFileMode(target));
    }

    [Fact]
    public async Task Concurrent_commits_into_one_directory_each_replace_their_target_whole()
    {
        var targets = Enumerable.Range(0, 8).Select(i => Path.Combine(_dir, $"f{i}")).ToArray();
        foreach (var target in targets)
        {
            File.WriteAllText(target, "old");
        }

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
        {
            var content = new byte[100_000 + i];
            Array.Fill(content, (byte)i);
            using var staged = StagedFile.Create(targets[i % targets.Length], _journal);
            RandomAccess.Write(staged.Handle, content, 0);
            staged.Commit(0, 0, new Dictionary<string, string>());
        })));

        foreach (var target in targets)
        {
            var content = File.ReadAllBytes(target);
            Assert.True(content.Length >= 100_000);
            Assert.All(content, b => Assert.Equal((byte)(content.Length - 100_000), b));
        }

        Assert.Equal(targets.Order(), Directory.GetFiles(_dir).Order());
    }

    [Fact]
    public void Very_long_names_still_get_a_staged_name_within_the_limit()
    {
        var target = Path.Combine(_dir, new string('n', 250));
        using var staged = StagedFile.Create(target, _journal);

        staged.Commit(0, 0, new Dictionary<string, string>());

        Assert.True(File.Exists(target));
    }

    [Fact]
    public void Concatenation_appends_whole_files_in_order()
    {
        var first = Path.Combine(_dir, "a");
        var second = Path.Combine(_dir, "b");
        File.WriteAllText(first, "first,");
        File.WriteAllBytes(second, Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray());
        var target = Path.Combine(_dir, "joined");
        using var staged = StagedFile.Create(target, _journal);

        long offset = 0;
        FileConcatenation.Append(staged.Handle, ref offset, first);
        FileConcatenation.Append(staged.Handle, ref offset, second);
        staged.Commit(0, 0, new Dictionary<string, string>());

        Assert.Equal(6 + 200_000, offset);
        Assert.Equal(File.ReadAllBytes(first).Concat(File.ReadAllBytes(second)), File.ReadAllBytes(target));
    }
}
