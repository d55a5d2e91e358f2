using System.Text;
using System.Text.Json;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests.Connect.Processes;

/// <summary>A Start or Connect stream as the SDK reads it: events one by one, then the end-of-stream envelope.</summary>
public sealed class ProcessStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<Frame> _frames;

    private ProcessStream(HttpResponseMessage response, IAsyncEnumerator<Frame> frames)
    {
        _response = response;
        _frames = frames;
    }

    /// <summary>The end-of-stream envelope once it has been read.</summary>
    public Frame? EndOfStream { get; private set; }

    public static async Task<ProcessStream> OpenAsync(
        HttpClient client, string method, string json, string? user = TestUsers.Regular, int? timeoutMs = null, int? keepaliveSeconds = null)
    {
        var request = ConnectWire.Stream($"/process.Process/{method}", json);
        request.Headers.Add("Connect-Protocol-Version", "1");
        if (user is not null)
        {
            request.Headers.Authorization = RpcCall.BasicUser(user);
        }

        if (timeoutMs is not null)
        {
            request.Headers.Add("Connect-Timeout-Ms", timeoutMs.Value.ToString());
        }

        if (keepaliveSeconds is not null)
        {
            request.Headers.Add("Keepalive-Ping-Interval", keepaliveSeconds.Value.ToString());
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("application/connect+json", response.Content.Headers.ContentType?.MediaType);
        var frames = ConnectWire.ReadFrames(await response.Content.ReadAsStreamAsync()).GetAsyncEnumerator();
        return new ProcessStream(response, frames);
    }

    /// <summary>The next event's JSON (<c>{"start":...}</c>, <c>{"data":...}</c>, ...), or null at the end of the stream.</summary>
    public async Task<JsonElement?> NextAsync()
    {
        if (EndOfStream is not null || !await _frames.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            return null;
        }

        if (_frames.Current.IsEndOfStream)
        {
            EndOfStream = _frames.Current;
            return null;
        }

        return _frames.Current.Json.GetProperty("event").Clone();
    }

    public async Task<uint> StartedAsync()
    {
        var first = await NextAsync() ?? throw new InvalidOperationException($"stream ended first: {EndOfStream?.Text}");
        return first.GetProperty("start").GetProperty("pid").GetUInt32();
    }

    /// <summary>Everything until the end of the stream: output by kind, the end event, and every event in order.</summary>
    public async Task<ProcessRun> ReadToEndAsync()
    {
        var output = new Dictionary<string, MemoryStream> { ["stdout"] = new(), ["stderr"] = new(), ["pty"] = new() };
        var events = new List<JsonElement>();
        JsonElement? end = null;
        while (await NextAsync() is { } next)
        {
            events.Add(next);
            if (next.TryGetProperty("data", out var data))
            {
                foreach (var kind in data.EnumerateObject())
                {
                    output[kind.Name].Write(kind.Value.GetBytesFromBase64());
                }
            }
            else if (next.TryGetProperty("end", out var ended))
            {
                end = ended;
            }
        }

        string Text(string kind) => Encoding.UTF8.GetString(output[kind].ToArray());
        return new ProcessRun(Text("stdout"), Text("stderr"), Text("pty"), end, events, EndOfStream!);
    }

    public async ValueTask DisposeAsync()
    {
        await _frames.DisposeAsync();
        _response.Dispose();
    }
}

public sealed record ProcessRun(string Stdout, string Stderr, string Pty, JsonElement? End, IReadOnlyList<JsonElement> Events, Frame EndOfStream)
{
    public int ExitCode => End is { } end && end.TryGetProperty("exitCode", out var code) ? code.GetInt32() : 0;

    public string? Status => End?.GetProperty("status").GetString();
}
