using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Envd.Web.Tests.Infrastructure;

/// <summary>One Connect envelope as it came off the wire.</summary>
public sealed record Frame(byte Flags, byte[] Payload)
{
    public bool IsEndOfStream => (Flags & 0x02) != 0;

    public string Text => Encoding.UTF8.GetString(Payload);

    public JsonElement Json => JsonDocument.Parse(Payload).RootElement;

    /// <summary>The end-of-stream error code, or null for a clean end.</summary>
    public string? ErrorCode => Json.TryGetProperty("error", out var error) ? error.GetProperty("code").GetString() : null;
}

/// <summary>Builds and reads Connect traffic byte by byte, so tests see exactly what a client would.</summary>
public static class ConnectWire
{
    public static byte[] Envelope(byte flags, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    public static byte[] Envelope(string json) => Envelope(0, Encoding.UTF8.GetBytes(json));

    public static HttpRequestMessage Unary(string path, string json, string contentType = "application/json") =>
        new(HttpMethod.Post, path) { Content = Content(Encoding.UTF8.GetBytes(json), contentType) };

    public static HttpRequestMessage Stream(string path, string contentType, params byte[][] envelopes) =>
        new(HttpMethod.Post, path) { Content = Content(envelopes.SelectMany(e => e).ToArray(), contentType) };

    public static HttpRequestMessage Stream(string path, string json) => Stream(path, "application/connect+json", Envelope(json));

    public static ByteArrayContent Content(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    /// <summary>Reads envelopes as they arrive, up to and including the end-of-stream one.</summary>
    public static async IAsyncEnumerable<Frame> ReadFrames(Stream body)
    {
        var header = new byte[5];
        while (await ReadExactly(body, header))
        {
            var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1))];
            if (!await ReadExactly(body, payload))
            {
                throw new EndOfStreamException("truncated envelope");
            }

            var frame = new Frame(header[0], payload);
            yield return frame;
            if (frame.IsEndOfStream)
            {
                yield break;
            }
        }
    }

    public static async Task<List<Frame>> ReadAllFrames(HttpResponseMessage response)
    {
        var frames = new List<Frame>();
        await foreach (var frame in ReadFrames(await response.Content.ReadAsStreamAsync()))
        {
            frames.Add(frame);
        }

        return frames;
    }

    /// <summary>Sends raw bytes on a fresh connection and returns everything the server answers before closing or the timeout.</summary>
    public static async Task<string> RawExchange(Uri server, byte[] request, TimeSpan timeout)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        using var cts = new CancellationTokenSource(timeout);
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
                if (Encoding.ASCII.GetString(answer.ToArray()).Contains("\r\n0\r\n\r\n") || HasFullBody(answer.ToArray()))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }

    private static bool HasFullBody(byte[] answer)
    {
        var text = Encoding.ASCII.GetString(answer);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var lengthLine = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return lengthLine is not null && answer.Length - end - 4 >= int.Parse(lengthLine["Content-Length:".Length..].Trim());
    }

    private static async Task<bool> ReadExactly(Stream stream, byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total));
            if (read == 0)
            {
                return total == 0 ? false : throw new EndOfStreamException($"stream ended after {total} of {buffer.Length} bytes");
            }

            total += read;
        }

        return true;
    }
}
