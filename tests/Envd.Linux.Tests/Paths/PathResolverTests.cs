using Envd.Linux.Paths;

namespace Envd.Linux.Tests.Paths;

/// <summary>Every rule of upstream's ExpandAndResolve.</summary>
public sealed class PathResolverTests
{
    private const string Home = "/home/user";

    [Theory]
    [InlineData("", "/work", "/work")]
    [InlineData(null, "/work", "/work")]
    [InlineData("", null, Home)]
    [InlineData("", "", Home)]
    public void An_empty_path_is_the_default_workdir_else_the_home(string? path, string? workdir, string expected)
    {
        Assert.Equal(PathResolution.Ok(expected), PathResolver.Resolve(path, Home, workdir));
    }

    [Theory]
    [InlineData("~", Home)]
    [InlineData("~/", Home)]
    [InlineData("~/notes/a.txt", Home + "/notes/a.txt")]
    [InlineData("~/x/../y", Home + "/y")]
    [InlineData("~\\x", Home + "/\\x")]
    public void A_tilde_expands_to_the_home(string path, string expected)
    {
        Assert.Equal(PathResolution.Ok(expected), PathResolver.Resolve(path, Home, "/work"));
    }

    [Fact]
    public void A_tilde_followed_by_a_name_is_an_error()
    {
        var resolution = PathResolver.Resolve("~root/x", Home, null);

        Assert.False(resolution.IsOk);
        Assert.Equal("cannot expand user-specific home dir", resolution.Error);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/a/../b/")]
    [InlineData("//tmp//x/./y")]
    [InlineData("/")]
    public void An_absolute_path_is_returned_exactly_as_given(string path)
    {
        Assert.Equal(PathResolution.Ok(path), PathResolver.Resolve(path, Home, "/work"));
    }

    [Theory]
    [InlineData("a.txt", Home + "/a.txt")]
    [InlineData("./dir/../b/", Home + "/b")]
    [InlineData("../../../../etc", "/etc")]
    [InlineData("a//b", Home + "/a/b")]
    public void A_relative_path_resolves_against_the_home_never_the_workdir_and_is_cleaned(string path, string expected)
    {
        Assert.Equal(PathResolution.Ok(expected), PathResolver.Resolve(path, Home, "/work"));
    }

    [Fact]
    public void A_relative_default_workdir_resolves_against_the_home()
    {
        Assert.Equal(PathResolution.Ok(Home + "/proj"), PathResolver.Resolve("", Home, "proj"));
    }

    [Fact]
    public void A_nul_byte_is_rejected()
    {
        Assert.False(PathResolver.Resolve("/tmp/a\0b", Home, null).IsOk);
    }
}
