using Envd.Web.Http;

namespace Envd.Web.Tests.Http;

public sealed class FileSignatureTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Theory]
    [InlineData("/home/user/hello.txt", "read", "", "secret-access-token", null, "v1_Lkwj2ev7/g1FY2co6a0ThZMyfhNlofZAkF5DXp8Hoec")]
    [InlineData("/home/user/hello.txt", "write", "user", "secret-access-token", 1700000000L, "v1_E7gMsXxynrza0PftJMAyZucXzLxmhJC0dwIzl7E1wN8")]
    [InlineData("", "write", "", "tok", null, "v1_XfYYOx0ojDc6kqfLnaJuiYLWXCK2SaWCthv8+gv5kbo")]
    public void Compute_matches_the_reference_vectors(string path, string operation, string username, string token, long? expiration, string expected)
    {
        Assert.Equal(expected, FileSignature.Compute(path, operation, username, token, expiration));
    }

    [Fact]
    public void Everything_is_open_without_a_token()
    {
        Assert.Null(FileSignature.Check(null, null, FileSignature.Read, "/x", null, null, null, Now));
    }

    [Fact]
    public void A_header_token_must_match_and_then_needs_no_signature()
    {
        Assert.Null(FileSignature.Check("tok", "tok", FileSignature.Read, "/x", null, null, null, Now));
        Assert.Equal("access token present in header but does not match",
            FileSignature.Check("tok", "other", FileSignature.Read, "/x", null, FileSignature.Compute("/x", "read", "", "tok", null), null, Now));
    }

    [Fact]
    public void Without_the_header_a_signature_is_required_and_checked()
    {
        Assert.Equal("missing signature query parameter", FileSignature.Check("tok", null, FileSignature.Read, "/x", null, null, null, Now));
        Assert.Equal("invalid signature", FileSignature.Check("tok", null, FileSignature.Read, "/x", null, "v1_nope", null, Now));
        var forWrite = FileSignature.Compute("/x", FileSignature.Write, "", "tok", null);
        Assert.Equal("invalid signature", FileSignature.Check("tok", null, FileSignature.Read, "/x", null, forWrite, null, Now));
        Assert.Null(FileSignature.Check("tok", null, FileSignature.Write, "/x", null, forWrite, null, Now));
    }

    [Fact]
    public void The_username_is_part_of_what_is_signed()
    {
        var asUser = FileSignature.Compute("/x", FileSignature.Read, "user", "tok", null);

        Assert.Null(FileSignature.Check("tok", null, FileSignature.Read, "/x", "user", asUser, null, Now));
        Assert.Equal("invalid signature", FileSignature.Check("tok", null, FileSignature.Read, "/x", null, asUser, null, Now));
    }

    [Fact]
    public void An_expiration_is_signed_and_enforced_after_the_signature_matches()
    {
        var future = Now.ToUnixTimeSeconds() + 60;
        var past = Now.ToUnixTimeSeconds() - 1;

        Assert.Null(FileSignature.Check("tok", null, FileSignature.Read, "/x", null,
            FileSignature.Compute("/x", "read", "", "tok", future), future, Now));
        Assert.Equal("signature is already expired", FileSignature.Check("tok", null, FileSignature.Read, "/x", null,
            FileSignature.Compute("/x", "read", "", "tok", past), past, Now));
        Assert.Equal("invalid signature", FileSignature.Check("tok", null, FileSignature.Read, "/x", null,
            FileSignature.Compute("/x", "read", "", "tok", past), future, Now));
    }
}
