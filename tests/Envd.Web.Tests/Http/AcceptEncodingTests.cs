using Envd.Web.Http;

namespace Envd.Web.Tests.Http;

public sealed class AcceptEncodingTests
{
    [Theory]
    [InlineData(null, ContentCoding.Identity)]
    [InlineData("", ContentCoding.Identity)]
    [InlineData("gzip", ContentCoding.Gzip)]
    [InlineData("GZIP", ContentCoding.Gzip)]
    [InlineData("gzip, deflate", ContentCoding.Gzip)]
    [InlineData("br", ContentCoding.Identity)]
    [InlineData("gzip;q=0.5, identity;q=1", ContentCoding.Identity)]
    [InlineData("identity;q=0.5, gzip;q=0.9", ContentCoding.Gzip)]
    [InlineData("gzip;q=0", ContentCoding.Identity)]
    [InlineData("gzip;q=abc", ContentCoding.Gzip)]
    [InlineData("*", ContentCoding.Identity)]
    [InlineData("*;q=0, gzip", ContentCoding.Gzip)]
    [InlineData("identity;q=0, *", ContentCoding.Gzip)]
    public void Negotiates_like_upstream(string? header, ContentCoding expected)
    {
        Assert.Equal(expected, AcceptEncoding.Negotiate(header).Coding);
    }

    [Theory]
    [InlineData("identity;q=0")]
    [InlineData("*;q=0")]
    [InlineData("br, identity;q=0")]
    public void Nothing_acceptable_is_an_error(string header)
    {
        var choice = AcceptEncoding.Negotiate(header);

        Assert.Null(choice.Coding);
        Assert.True(choice.IdentityRefused);
    }

    [Fact]
    public void An_explicit_identity_overrides_a_wildcard_refusal()
    {
        var choice = AcceptEncoding.Negotiate("*;q=0, identity;q=0.5");

        Assert.Equal(ContentCoding.Identity, choice.Coding);
        Assert.False(choice.IdentityRefused);
    }
}
