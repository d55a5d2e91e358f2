using System.Buffers.Binary;
using System.Text.Json;

namespace Envd.Web.Tests.Reliability;

/// <summary>What every answer to bad input must look like: a 4xx JSON error or a Connect error, never a 5xx of its own making.</summary>
public static class ResponseOracle
{
    /// <summary>Connect codes that mean the daemon itself failed, rather than refusing the input.</summary>
    private static readonly HashSet<string> ServerFaults = ["internal", "unknown", "data_loss"];

    /// <summary>Statuses Kestrel answers with an empty body before any Envd code runs: a malformed request line or header block.</summary>
    private static readonly HashSet<int> ParserRejections = [400, 414, 431];

    public static void Check(FuzzRequest request, RawResponse response)
    {
        var method = request.Method;
        if (response.Status is >= 200 and < 300 or 304)
        {
            if (response.Header("content-type") is { } type && type.StartsWith("application/connect+", StringComparison.Ordinal))
            {
                CheckStream(response);
            }

            return;
        }

        if (response.Status >= 500 && !IsDeclaredServerAnswer(request, response))
        {
            throw new Xunit.Sdk.XunitException($"answered {response.Status}: {response.Text}");
        }

        if (response.Body.Length == 0)
        {
            if (method is "HEAD" || ParserRejections.Contains(response.Status))
            {
                return;
            }

            throw new Xunit.Sdk.XunitException($"answered {response.Status} with an empty body");
        }

        using var body = ParseJson(response);
        var root = body.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("code", out var code))
        {
            throw new Xunit.Sdk.XunitException($"answered {response.Status} with a body that is not an error: {response.Text}");
        }

        if (code.ValueKind == JsonValueKind.String && IsServerFault(code.GetString()!, message.GetString()!))
        {
            throw new Xunit.Sdk.XunitException($"answered a server fault: {response.Text}");
        }

        if (code.ValueKind == JsonValueKind.Number && code.GetInt32() != response.Status)
        {
            throw new Xunit.Sdk.XunitException($"answered {response.Status} with code {code}: {response.Text}");
        }
    }

    /// <summary>
    /// Connect errors that map to 501/503/504 (unimplemented, unavailable, deadline_exceeded) refuse the request, not fail;
    /// <c>/upgrade</c> answers 500 by design, as upstream does for a refused upgrade.
    /// </summary>
    private static bool IsDeclaredServerAnswer(FuzzRequest request, RawResponse response)
    {
        if (response.Status is 501 or 503 or 504)
        {
            return true;
        }

        return response.Status == 500 && request.Method == "POST" && System.Text.Encoding.ASCII.GetString(request.Target).Split('?')[0] == "/upgrade";
    }

    /// <summary>connect-go answers a compressed envelope nobody negotiated with internal "protocol error: ..."; Envd does the same.</summary>
    private static bool IsServerFault(string code, string message) =>
        ServerFaults.Contains(code) && !(code == "internal" && message.StartsWith("protocol error:", StringComparison.Ordinal));

    private static void CheckStream(RawResponse response)
    {
        var body = response.Body.AsSpan();
        while (true)
        {
            if (body.Length < 5)
            {
                throw new Xunit.Sdk.XunitException($"stream ended without an end-of-stream envelope ({body.Length} stray bytes)");
            }

            var flags = body[0];
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body[1..5]);
            if (body.Length < 5 + length)
            {
                throw new Xunit.Sdk.XunitException($"truncated envelope: {length} promised, {body.Length - 5} sent");
            }

            var payload = body.Slice(5, length).ToArray();
            body = body[(5 + length)..];
            if ((flags & 0x02) == 0)
            {
                continue;
            }

            using var end = JsonDocument.Parse(payload);
            if (end.RootElement.TryGetProperty("error", out var error)
                && IsServerFault(error.GetProperty("code").GetString()!, error.GetProperty("message").GetString()!))
            {
                throw new Xunit.Sdk.XunitException($"stream ended in a server fault: {System.Text.Encoding.UTF8.GetString(payload)}");
            }

            if (!body.IsEmpty)
            {
                throw new Xunit.Sdk.XunitException("bytes after the end-of-stream envelope");
            }

            return;
        }
    }

    private static JsonDocument ParseJson(RawResponse response)
    {
        try
        {
            return JsonDocument.Parse(response.Body);
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"answered {response.Status} with a body that is not JSON: {response.Text}");
        }
    }
}
