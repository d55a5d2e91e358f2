using Envd.Linux.Users;

namespace Envd.Linux.Tests.Users;

public sealed class ParsedFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("envd-parsed-").FullName;
    private readonly List<string> _parsed = [];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ParsedFile<string> Watch(string path) => new(path, text =>
    {
        _parsed.Add(text);
        return text;
    });

    [Fact]
    public void An_unchanged_file_is_read_and_parsed_once()
    {
        var path = Path.Combine(_dir, "passwd");
        File.WriteAllText(path, "one\n");
        var file = Watch(path);

        Assert.Equal("one\n", file.Value);
        Assert.Equal("one\n", file.Value);
        Assert.Equal("one\n", file.Value);

        Assert.Single(_parsed);
    }

    [Fact]
    public void A_file_that_grows_is_parsed_again()
    {
        var path = Path.Combine(_dir, "passwd");
        File.WriteAllText(path, "one\n");
        var file = Watch(path);
        Assert.Equal("one\n", file.Value);

        File.AppendAllText(path, "two\n");

        Assert.Equal("one\ntwo\n", file.Value);
    }

    [Fact]
    public void A_file_replaced_by_rename_is_parsed_again_even_with_the_same_size_and_mtime()
    {
        var path = Path.Combine(_dir, "passwd");
        File.WriteAllText(path, "uid=1000\n");
        var mtime = File.GetLastWriteTimeUtc(path);
        var file = Watch(path);
        Assert.Equal("uid=1000\n", file.Value);

        var replacement = Path.Combine(_dir, "passwd+");
        File.WriteAllText(replacement, "uid=2000\n");
        File.SetLastWriteTimeUtc(replacement, mtime);
        File.Move(replacement, path, overwrite: true);

        Assert.Equal("uid=2000\n", file.Value);
    }

    [Fact]
    public void A_file_rewritten_in_place_with_the_same_size_is_parsed_again_once_its_mtime_moves()
    {
        var path = Path.Combine(_dir, "passwd");
        File.WriteAllText(path, "uid=1000\n");
        var file = Watch(path);
        Assert.Equal("uid=1000\n", file.Value);

        File.WriteAllText(path, "uid=2000\n");
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(1));

        Assert.Equal("uid=2000\n", file.Value);
    }

    [Fact]
    public void A_missing_file_reads_as_empty_until_it_appears()
    {
        var path = Path.Combine(_dir, "group");
        var file = Watch(path);
        Assert.Equal(string.Empty, file.Value);
        Assert.Equal(string.Empty, file.Value);

        File.WriteAllText(path, "late\n");

        Assert.Equal("late\n", file.Value);
        Assert.Equal([string.Empty, "late\n"], _parsed);
    }
}
