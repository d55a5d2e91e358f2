using System.Net.Http.Headers;
using System.Text;

namespace Envd.Web.Tests.Files;

/// <summary>
/// Multipart bodies byte for byte as the SDK's form encoder writes them: raw UTF-8 file names with only <c>"</c>, CR and
/// LF escaped (as %22, %0D, %0A), each part typed application/octet-stream.
/// </summary>
public static class Multipart
{
    public const string Boundary = "----formdata-undici-012345678901";

    public static ByteArrayContent Files(params (string FileName, byte[] Content)[] parts) =>
        Build(parts.Select(p => ("file", (string?)p.FileName, p.Content)).ToArray());

    public static ByteArrayContent Build(params (string Name, string? FileName, byte[] Content)[] parts)
    {
        using var body = new MemoryStream();
        foreach (var (name, fileName, content) in parts)
        {
            var disposition = $"Content-Disposition: form-data; name=\"{name}\"";
            if (fileName is not null)
            {
                disposition += $"; filename=\"{fileName.Replace("\"", "%22").Replace("\r", "%0D").Replace("\n", "%0A")}\"";
            }

            body.Write(Encoding.UTF8.GetBytes($"--{Boundary}\r\n{disposition}\r\nContent-Type: application/octet-stream\r\n\r\n"));
            body.Write(content);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.UTF8.GetBytes($"--{Boundary}--\r\n"));
        var result = new ByteArrayContent(body.ToArray());
        result.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        return result;
    }

    public static ByteArrayContent Raw(byte[] content)
    {
        var result = new ByteArrayContent(content);
        result.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return result;
    }
}
