using Envd.Linux.Files;
using Envd.Linux.Native;
using Envd.Linux.Paths;

namespace Envd.Linux.Tests.Files;

public sealed class FileTreeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("envd-tree-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Move_replaces_an_existing_destination_and_reports_a_missing_source()
    {
        File.WriteAllText(Path.Combine(_root, "a"), "new");
        File.WriteAllText(Path.Combine(_root, "b"), "old");

        FileTree.Move(Path.Combine(_root, "a"), Path.Combine(_root, "b"));

        Assert.Equal("new", File.ReadAllText(Path.Combine(_root, "b")));
        var missing = Assert.Throws<NativeErrorException>(() => FileTree.Move(Path.Combine(_root, "a"), Path.Combine(_root, "c")));
        Assert.True(missing.IsNotFound);
    }

    [Fact]
    public void RemoveAll_deletes_trees_without_following_symlinks_and_accepts_missing_paths()
    {
        var keep = Directory.CreateDirectory(Path.Combine(_root, "keep")).FullName;
        File.WriteAllText(Path.Combine(keep, "precious"), "x");
        var tree = Directory.CreateDirectory(Path.Combine(_root, "tree", "deep")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(tree, "to-keep"), keep);

        FileTree.RemoveAll(Path.Combine(_root, "tree"));
        FileTree.RemoveAll(Path.Combine(_root, "tree"));

        Assert.False(Directory.Exists(Path.Combine(_root, "tree")));
        Assert.True(File.Exists(Path.Combine(keep, "precious")));
    }

    [Fact]
    public void RealPath_tells_loops_from_missing_paths()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "l1"), "l2");
        File.CreateSymbolicLink(Path.Combine(_root, "l2"), "l1");

        Assert.Equal(RealPathOutcome.Loop, RealPath.Resolve(Path.Combine(_root, "l1"), out _));
        Assert.Equal(RealPathOutcome.NotFound, RealPath.Resolve(Path.Combine(_root, "nope"), out _));
        Assert.Equal(RealPathOutcome.Resolved, RealPath.Resolve(_root + "/./", out var resolved));
        Assert.Equal(_root, resolved);
    }

    [Fact]
    public void Network_filesystem_magics_are_recognised_and_a_temp_dir_is_not_one()
    {
        Assert.True(NetworkFilesystems.IsNetwork(0x6969));
        Assert.True(NetworkFilesystems.IsNetwork(0xFF534D42));
        Assert.True(NetworkFilesystems.IsNetwork(0x517B));
        Assert.True(NetworkFilesystems.IsNetwork(0xFE534D42));
        Assert.True(NetworkFilesystems.IsNetwork(0x65735546));
        Assert.False(NetworkFilesystems.IsNetwork(NetworkFilesystems.Magic(_root)));
    }
}
