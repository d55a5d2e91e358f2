using Envd.Linux.Files;
using Envd.Linux.Users;

namespace Envd.Linux.Tests.Files;

public sealed class DirectoryListingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("envd-list-").FullName;
    private readonly FileEntries _entries = new(new EtcUserDirectory());

    public DirectoryListingTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "test-dir", "sub-dir-1"));
        Directory.CreateDirectory(Path.Combine(_root, "test-dir", "sub-dir-2"));
        File.WriteAllText(Path.Combine(_root, "test-dir", "sub-dir-1", "file.txt"), "x");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(1, new[] { "test-dir" })]
    [InlineData(2, new[] { "test-dir", "test-dir/sub-dir-1", "test-dir/sub-dir-2" })]
    [InlineData(3, new[] { "test-dir", "test-dir/sub-dir-1", "test-dir/sub-dir-1/file.txt", "test-dir/sub-dir-2" })]
    public void Depth_counts_components_below_the_root_in_depth_first_name_order(int depth, string[] expected)
    {
        var listed = DirectoryListing.List(_entries, _root, _root, depth);

        Assert.Equal(expected.Select(e => $"{_root}/{e}"), listed.Select(e => e.Path));
    }

    [Fact]
    public void Entries_are_reported_under_the_requested_path_and_inner_symlinks_are_not_followed()
    {
        var link = Path.Combine(_root, "alias");
        Directory.CreateSymbolicLink(link, Path.Combine(_root, "test-dir"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "test-dir", "loop"), _root);

        var listed = DirectoryListing.List(_entries, Path.Combine(_root, "test-dir"), link + "/", 5);

        Assert.Equal([$"{link}/loop", $"{link}/sub-dir-1", $"{link}/sub-dir-1/file.txt", $"{link}/sub-dir-2"], listed.Select(e => e.Path));
    }
}
