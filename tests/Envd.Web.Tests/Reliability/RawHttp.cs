using System.Net.Sockets;
using System.Text;

namespace Envd.Web.Tests.Reliability;

/// <summary>A response as it came off the socket: status, headers (names lower-cased) and the de-chunked body.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// HTTP/1.1 over a bare socket, so a test can send what no well-behaved client would: raw paths with <c>..</c> and
/// <c>%00</c>, bytes that are not UTF-8, lying lengths, headers by the megabyte.
/// </summary>
public static class RawHttp
{
    /// <summary>A request with <c>Connection: close</c> and a Content-Length matching <paramref name="body"/> (unless a header names one).</summary>
    public static byte[] Request(string method, byte[] target, IEnumerable<(string Name, byte[] Value)> headers, byte[] body)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Encoding.ASCII.GetBytes(method + " "));
        buffer.Write(target);
        buffer.Write(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"u8);
        var hasLength = false;
        foreach (var (name, value) in headers)
        {
            hasLength |= name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase);
            buffer.Write(Encoding.ASCII.GetBytes(name + ": "));
            buffer.Write(value);
            buffer.Write("\r\n"u8);
        }

        if (!hasLength)
        {
            buffer.Write(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n"));
        }

        buffer.Write("\r\n"u8);
        buffer.Write(body);
        return buffer.ToArray();
    }

    public static byte[] Request(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[] body) =>
        Request(method, Encoding.ASCII.GetBytes(target), headers.Select(h => (h.Name, Encoding.ASCII.GetBytes(h.Value))), body);

    /// <summary>Sends <paramref name="request"/> on a fresh connection and reads the whole response.</summary>
    /// <exception cref="TimeoutException">No complete response within <paramref name="timeout"/>.</exception>
    /// <param name="head">The request is a HEAD: the response has headers only, whatever its Content-Length says.</param>
    public static async Task<RawResponse> SendAsync(Uri server, byte[] request, TimeSpan timeout, bool head = false)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(server.Host, server.Port, cts.Token);
            var stream = client.GetStream();
            try
            {
                await stream.WriteAsync(request, cts.Token);
            }
            catch (IOException)
            {
                // The server may answer and close before taking the whole request (a 431, a 413): read what it said.
            }

            return await ReadResponseAsync(stream, head, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"no complete response within {timeout}");
        }
    }

    public static async Task<RawResponse> ReadResponseAsync(Stream stream, bool head, CancellationToken cancellationToken)
    {
        var reader = new ByteReader(stream);
        var statusLine = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("connection closed before a status line");
        var parts = statusLine.Split(' ', 3);
        var status = int.Parse(parts[1]);
        var headers = new Dictionary<string, string>();
        while (await reader.ReadLineAsync(cancellationToken) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':');
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
        }

        byte[] body;
        if (head)
        {
            body = [];
        }
        else if (headers.TryGetValue("transfer-encoding", out var coding) && coding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            using var chunks = new MemoryStream();
            while (true)
            {
                var size = Convert.ToInt32((await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("truncated chunk")).Split(';')[0], 16);
                if (size == 0)
                {
                    await reader.ReadLineAsync(cancellationToken);
                    break;
                }

                chunks.Write(await reader.ReadExactlyAsync(size, cancellationToken));
                await reader.ReadLineAsync(cancellationToken);
            }

            body = chunks.ToArray();
        }
        else if (headers.TryGetValue("content-length", out var length))
        {
            body = await reader.ReadExactlyAsync(int.Parse(length), cancellationToken);
        }
        else if (status is 204 or 304 || status < 200)
        {
            body = [];
        }
        else
        {
            body = await reader.ReadToEndAsync(cancellationToken);
        }

        return new RawResponse(status, headers, body);
    }

    private sealed class ByteReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            using var line = new MemoryStream();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    return line.Length == 0 ? null : Encoding.Latin1.GetString(line.ToArray());
                }

                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline < 0)
                {
                    line.Write(_buffer, _start, _end - _start);
                    _start = _end;
                    continue;
                }

                line.Write(_buffer, _start, newline - _start);
                _start = newline + 1;
                return Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r');
            }
        }

        public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            var result = new byte[count];
            var filled = 0;
            while (filled < count)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    throw new IOException($"connection closed after {filled} of {count} body bytes");
                }

                var take = Math.Min(count - filled, _end - _start);
                Array.Copy(_buffer, _start, result, filled, take);
                _start += take;
                filled += take;
            }

            return result;
        }

        public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
        {
            using var rest = new MemoryStream();
            do
            {
                rest.Write(_buffer, _start, _end - _start);
                _start = _end;
            }
            while (await FillAsync(cancellationToken));

            return rest.ToArray();
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(_buffer, cancellationToken);
            }
            catch (IOException)
            {
                // A reset after the response is a normal way for a server to drop an unread request body.
                read = 0;
            }

            _start = 0;
            _end = read;
            return read > 0;
        }
    }
}
