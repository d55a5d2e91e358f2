using Envd.Actors.Files;
using static Envd.Actors.Files.FileTransferProtocol;

namespace Envd.Actors.Tests.Files;

public sealed class UploadRulesTests
{
    private static (IReadOnlyDictionary<string, string>? Metadata, string? Error) Parse(params (string Name, string Value)[] headers) =>
        UploadRules.ParseMetadata(headers.Select(h => KeyValuePair.Create(h.Name, h.Value)));

    [Fact]
    public void Metadata_headers_lose_their_prefix_keys_are_lower_cased_and_the_first_one_wins()
    {
        var (metadata, error) = Parse(("Content-Type", "x"), ("X-Metadata-Author", "demo"), ("x-metadata-PURPOSE", "Trace"), ("X-METADATA-author", "second"));

        Assert.Null(error);
        Assert.Equal(new Dictionary<string, string> { ["author"] = "demo", ["purpose"] = "Trace" }, metadata);
    }

    [Theory]
    [InlineData("X-Metadata-", "v")]
    [InlineData("X-Metadata-caf\u00e9", "v")]
    [InlineData("X-Metadata-k", "tab\there")]
    [InlineData("X-Metadata-k", "caf\u00e9")]
    public void Empty_keys_and_non_printable_ascii_are_invalid(string name, string value)
    {
        var (metadata, error) = Parse((name, value));

        Assert.Null(metadata);
        Assert.StartsWith("invalid metadata: ", error);
    }

    [Fact]
    public void Keys_may_have_246_bytes_and_all_metadata_4096_bytes_as_xattrs()
    {
        Assert.Null(Parse(("X-Metadata-" + new string('k', 246), "v")).Error);
        Assert.NotNull(Parse(("X-Metadata-" + new string('k', 247), "v")).Error);
        Assert.Null(Parse(("X-Metadata-a", new string('v', 4096 - 10))).Error);
        Assert.NotNull(Parse(("X-Metadata-a", new string('v', 4096 - 9))).Error);
    }

    [Fact]
    public void A_duplicate_target_lists_the_other_files_only_when_there_are_several()
    {
        var one = new WrittenFile("/a", "a", new Dictionary<string, string>());
        var others = new[] { one, new WrittenFile("/b", "b", one.Metadata), new WrittenFile("/c", "c", one.Metadata) };
        const string Refusal = "you cannot upload multiple files to the same path '/a' in one upload request, only the first specified file was uploaded";

        Assert.Equal(Refusal, UploadRules.DuplicateTarget("/a", [one]));
        Assert.Equal(Refusal, UploadRules.DuplicateTarget("/a", [one, others[1]]));
        Assert.Equal(Refusal + ", also the following files were uploaded: /b, /c", UploadRules.DuplicateTarget("/a", others));
    }
}
