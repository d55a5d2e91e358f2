using Envd.Linux.Files;
using Envd.Linux.Users;

namespace Envd.Linux.Tests.Files;

public sealed class FileEntriesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("envd-entries-").FullName;
    private readonly FileEntries _entries = new(new EtcUserDirectory());

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_regular_file_reports_size_permission_bits_owner_names_and_mtime()
    {
        var path = Path.Combine(_root, "a.txt");
        File.WriteAllText(path, "hello");
        File.SetUnixFileMode(path, (UnixFileMode)0x1A4);
        var mtime = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        File.SetLastWriteTimeUtc(path, mtime.UtcDateTime);

        var entry = _entries.Read(path)!;

        Assert.Equal("a.txt", entry.Name);
        Assert.Equal(path, entry.Path);
        Assert.Equal(FileEntryType.File, entry.Type);
        Assert.Equal(5, entry.Size);
        Assert.Equal(0x1A4u, entry.Mode);
        Assert.Equal("-rw-r--r--", entry.Permissions);
        Assert.Equal("root", entry.Owner);
        Assert.Equal("root", entry.Group);
        Assert.Equal(mtime, entry.ModifiedTime);
        Assert.Null(entry.SymlinkTarget);
    }

    [Fact]
    public void Mode_keeps_only_the_permission_bits()
    {
        var path = Path.Combine(_root, "setuid");
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, (UnixFileMode)0x9ED);

        var entry = _entries.Read(path)!;

        Assert.Equal(0x1EDu, entry.Mode);
        Assert.Equal("urwxr-xr-x", entry.Permissions);
    }

    [Fact]
    public void A_symlink_takes_type_and_mode_from_its_target_and_the_rest_from_the_link()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, "real")).FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0x1C0);
        var link = Path.Combine(_root, "link");
        File.CreateSymbolicLink(link, "real");

        var entry = _entries.Read(link)!;

        Assert.Equal("link", entry.Name);
        Assert.Equal(link, entry.Path);
        Assert.Equal(FileEntryType.Directory, entry.Type);
        Assert.Equal(0x1C0u, entry.Mode);
        Assert.Equal("Lrwxrwxrwx", entry.Permissions);
        Assert.Equal(4, entry.Size);
        Assert.Equal(dir, entry.SymlinkTarget);
    }

    [Fact]
    public void A_dangling_symlink_has_no_type_no_mode_and_points_at_itself()
    {
        var link = Path.Combine(_root, "dangling");
        File.CreateSymbolicLink(link, "missing");

        var entry = _entries.Read(link)!;

        Assert.Equal(FileEntryType.Unspecified, entry.Type);
        Assert.Equal(0u, entry.Mode);
        Assert.Equal(link, entry.SymlinkTarget);
    }

    [Fact]
    public void A_missing_path_reads_as_null() => Assert.Null(_entries.Read(Path.Combine(_root, "nope")));

    [Fact]
    public void Metadata_comes_from_user_e2b_xattrs()
    {
        var path = Path.Combine(_root, "meta");
        File.WriteAllText(path, "");
        if (!ExtendedAttributes.ReplaceMetadata(path, new Dictionary<string, string> { ["author"] = "me" }))
        {
            return;
        }

        Assert.Equal("me", _entries.Read(path)!.Metadata["author"]);
    }
}
