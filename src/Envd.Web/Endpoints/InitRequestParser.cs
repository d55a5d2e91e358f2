using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Envd.Actors.Init;

namespace Envd.Web.Endpoints;

/// <summary>Reads the <c>/init</c> body the way upstream's decoder does, rejecting what it rejects.</summary>
public static partial class InitRequestParser
{
    /// <summary>Returns the request, or the reason the body is not acceptable.</summary>
    public static (InitProtocol.InitRequest? Request, string? Error) Parse(ReadOnlySpan<byte> body)
    {
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            return (new InitProtocol.InitRequest(), null);
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null)
            {
                return (new InitProtocol.InitRequest(), null);
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, "request body must be a JSON object");
            }

            string? token = null;
            if (root.TryGetProperty("accessToken", out var tokenElement) && tokenElement.ValueKind != JsonValueKind.Null)
            {
                if (tokenElement.ValueKind != JsonValueKind.String || tokenElement.GetRawText().Contains('\\'))
                {
                    return (null, "accessToken must be a string without escape sequences");
                }

                token = tokenElement.GetString();
                if (string.IsNullOrEmpty(token))
                {
                    return (null, "accessToken must not be empty");
                }
            }

            DateTimeOffset? timestamp = null;
            var rawTimestamp = OptionalString(root, "timestamp");
            if (rawTimestamp is not null)
            {
                if (!TryParseRfc3339(rawTimestamp, out var parsed))
                {
                    return (null, $"timestamp is not an RFC 3339 date-time: {rawTimestamp}");
                }

                timestamp = parsed;
            }

            return (new InitProtocol.InitRequest(
                token,
                timestamp,
                EnvVars(root),
                OptionalString(root, "defaultUser"),
                OptionalString(root, "defaultWorkdir"),
                OptionalString(root, "hyperloopIP"),
                OptionalString(root, "lifecycleID"),
                VolumeMounts(root),
                OptionalString(root, "caBundle")), null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return (null, $"invalid JSON body: {e.Message}");
        }
    }

    /// <summary>RFC 3339 with any number of fractional digits (Go sends nanoseconds; .NET keeps 100 ns ticks).</summary>
    public static bool TryParseRfc3339(string text, out DateTimeOffset time)
    {
        time = default;
        var match = Rfc3339().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var fraction = match.Groups["fraction"].Value;
        var normalized = match.Groups["datetime"].Value.ToUpperInvariant() + "." + (fraction.Length > 7 ? fraction[..7] : fraction.PadRight(7, '0'))
            + (match.Groups["zone"].Value is "Z" or "z" ? "+00:00" : match.Groups["zone"].Value);
        return DateTimeOffset.TryParseExact(normalized, "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    [GeneratedRegex(@"^(?<datetime>\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2})(?:\.(?<fraction>\d+))?(?<zone>[Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    private static Dictionary<string, string>? EnvVars(JsonElement root)
    {
        if (!root.TryGetProperty("envVars", out var vars) || vars.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // A key given twice keeps its last value, as Go's decoder does; ToDictionary would throw on it.
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in vars.EnumerateObject())
        {
            env[pair.Name] = pair.Value.GetString() ?? string.Empty;
        }

        return env;
    }

    private static List<InitProtocol.VolumeMount>? VolumeMounts(JsonElement root)
    {
        if (!root.TryGetProperty("volumeMounts", out var mounts) || mounts.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return mounts.EnumerateArray()
            .Select(m => new InitProtocol.VolumeMount(
                m.GetProperty("nfs_target").GetString() ?? throw new FormatException("nfs_target is required"),
                m.GetProperty("path").GetString() ?? throw new FormatException("path is required")))
            .ToList();
    }
}
