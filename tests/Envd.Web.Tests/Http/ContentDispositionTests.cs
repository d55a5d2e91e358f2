using Envd.Web.Http;

namespace Envd.Web.Tests.Http;

public sealed class ContentDispositionTests
{
    [Theory]
    [InlineData("test.txt", "inline; filename=test.txt")]
    [InlineData("my document.pdf", "inline; filename=\"my document.pdf\"")]
    [InlineData("file\"name.txt", "inline; filename=\"file\\\"name.txt\"")]
    [InlineData("back\\slash", "inline; filename=\"back\\\\slash\"")]
    [InlineData("文档.pdf", "inline; filename*=utf-8''%E6%96%87%E6%A1%A3.pdf")]
    [InlineData("naïve 100%.txt", "inline; filename*=utf-8''na%C3%AFve%20100%25.txt")]
    public void Formats_download_names_like_go(string name, string expected)
    {
        Assert.Equal(expected, ContentDisposition.FormatInline(name));
    }

    [Theory]
    [InlineData("form-data; name=\"file\"; filename=\"/tmp/a b.txt\"", "file", "/tmp/a b.txt")]
    [InlineData("form-data; name=file; filename=plain.txt", "file", "plain.txt")]
    [InlineData("FORM-DATA; NAME=\"file\"; FILENAME=\"x\"", "file", "x")]
    [InlineData("form-data; name=\"file\"; filename=\"/tmp/say %22hi%22.txt\"", "file", "/tmp/say \"hi\".txt")]
    [InlineData("form-data; name=\"file\"; filename=\"a\\\"b\"", "file", "a\"b")]
    [InlineData("form-data; name=\"file\"; filename=\"/tmp/文档.txt\"", "file", "/tmp/文档.txt")]
    [InlineData("form-data; name=\"file\"; filename=\"fallback\"; filename*=utf-8''%E6%96%87.txt", "file", "文.txt")]
    [InlineData("form-data; name=\"other\"", "other", null)]
    public void Reads_part_names_and_full_file_names(string header, string name, string? fileName)
    {
        var part = ContentDisposition.ParseFormData(header);

        Assert.NotNull(part);
        Assert.Equal(name, part.Name);
        Assert.Equal(fileName, part.FileName);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("attachment; filename=x")]
    [InlineData("form-data; name=\"file")]
    [InlineData("form-data; name")]
    [InlineData("form-data; name=\"a\"; name=\"b\"")]
    public void Rejects_what_is_not_a_well_formed_form_data_part(string? header)
    {
        Assert.Null(ContentDisposition.ParseFormData(header));
    }
}
