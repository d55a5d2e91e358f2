using System.Text;

namespace Envd.Web.Http;

/// <summary>The <c>name</c> and <c>filename</c> of a <c>form-data</c> part.</summary>
public sealed record FormDataPart(string? Name, string? FileName);

/// <summary>
/// <c>Content-Disposition</c> the way upstream's Go (mime.FormatMediaType / ParseMediaType) writes and reads it, so
/// download names and upload part names round-trip with the SDKs.
/// </summary>
public static class ContentDisposition
{
    private const string TSpecials = "()<>@,;:\\\"/[]?=";

    /// <summary>
    /// <c>inline; filename=x</c>: bare when the name is a token, quoted with backslash escapes otherwise, and RFC 2231
    /// <c>filename*=utf-8''…</c> when it has bytes outside printable ASCII.
    /// </summary>
    public static string FormatInline(string fileName)
    {
        var text = new StringBuilder("inline; filename");
        if (NeedsEncoding(fileName))
        {
            text.Append("*=utf-8''");
            foreach (var b in Encoding.UTF8.GetBytes(fileName))
            {
                if (b <= ' ' || b >= 0x7F || b is (byte)'*' or (byte)'\'' or (byte)'%' || TSpecials.Contains((char)b))
                {
                    text.Append('%').Append(b.ToString("X2"));
                }
                else
                {
                    text.Append((char)b);
                }
            }

            return text.ToString();
        }

        text.Append('=');
        if (IsToken(fileName))
        {
            return text.Append(fileName).ToString();
        }

        text.Append('"');
        foreach (var c in fileName)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        return text.Append('"').ToString();
    }

    /// <summary>
    /// Reads a part's <c>Content-Disposition</c>: null unless it is <c>form-data</c> and well formed. <c>filename*</c>
    /// (RFC 2231) wins over <c>filename</c>; in a plain filename the <c>%22</c>, <c>%0D</c> and <c>%0A</c> that browsers
    /// and the SDK's form encoder write for <c>"</c>, CR and LF are turned back.
    /// </summary>
    public static FormDataPart? ParseFormData(string? header)
    {
        if (header is null)
        {
            return null;
        }

        var semicolon = header.IndexOf(';');
        var type = (semicolon < 0 ? header : header[..semicolon]).Trim();
        if (!type.Equals("form-data", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = semicolon < 0 ? string.Empty : header[semicolon..];
        var position = 0;
        while (true)
        {
            position = SkipSpace(rest, position);
            if (position == rest.Length)
            {
                break;
            }

            if (rest[position] != ';')
            {
                return null;
            }

            position = SkipSpace(rest, position + 1);
            if (position == rest.Length)
            {
                break;
            }

            var key = ReadToken(rest, ref position)?.ToLowerInvariant();
            position = SkipSpace(rest, position);
            if (key is null || position == rest.Length || rest[position] != '=')
            {
                return null;
            }

            position = SkipSpace(rest, position + 1);
            var value = position < rest.Length && rest[position] == '"' ? ReadQuoted(rest, ref position) : ReadToken(rest, ref position);
            if (value is null || !parameters.TryAdd(key, value))
            {
                return null;
            }
        }

        var fileName = parameters.TryGetValue("filename*", out var extended) && DecodeExtended(extended) is { } decoded
            ? decoded
            : parameters.TryGetValue("filename", out var plain) ? UnescapeFormName(plain) : null;
        return new FormDataPart(parameters.GetValueOrDefault("name"), fileName);
    }

    private static bool NeedsEncoding(string value) => value.Any(c => (c < ' ' || c > '~') && c != '\t');

    private static bool IsToken(string value) => value.Length > 0 && value.All(IsTokenChar);

    private static bool IsTokenChar(char c) => c > ' ' && c < 0x7F && !TSpecials.Contains(c);

    private static int SkipSpace(string text, int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }

        return position;
    }

    private static string? ReadToken(string text, ref int position)
    {
        var start = position;
        while (position < text.Length && IsTokenChar(text[position]))
        {
            position++;
        }

        return position > start ? text[start..position] : null;
    }

    private static string? ReadQuoted(string text, ref int position)
    {
        var value = new StringBuilder();
        for (position++; position < text.Length; position++)
        {
            var c = text[position];
            if (c == '"')
            {
                position++;
                return value.ToString();
            }

            if (c == '\\' && position + 1 < text.Length)
            {
                c = text[++position];
            }

            value.Append(c);
        }

        return null;
    }

    /// <summary>RFC 2231 <c>charset'language'percent-encoded</c>, for the UTF-8 and US-ASCII charsets Go accepts.</summary>
    private static string? DecodeExtended(string value)
    {
        var parts = value.Split('\'', 3);
        if (parts.Length != 3 || !(parts[0].Equals("utf-8", StringComparison.OrdinalIgnoreCase) || parts[0].Equals("us-ascii", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return Uri.UnescapeDataString(parts[2]);
    }

    private static string UnescapeFormName(string value) =>
        value.Contains('%')
            ? value.Replace("%22", "\"", StringComparison.OrdinalIgnoreCase)
                .Replace("%0D", "\r", StringComparison.OrdinalIgnoreCase)
                .Replace("%0A", "\n", StringComparison.OrdinalIgnoreCase)
            : value;
}
