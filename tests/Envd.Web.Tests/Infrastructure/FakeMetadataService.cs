using System.Net;
using System.Text;
using System.Text.Json;
using Envd.Tests.Infrastructure;

namespace Envd.Web.Tests.Infrastructure;

/// <summary>Firecracker's MMDS v2 on loopback: a session token from PUT /latest/api/token, then the metadata JSON on GET /.</summary>
public sealed class FakeMetadataService : IDisposable
{
    private readonly LoopbackHttpServer _server;
    private int _reads;

    public FakeMetadataService()
    {
        _server = new LoopbackHttpServer(Answer);
    }

    /// <summary>What GET / returns; null answers 503 as a service that is not ready would.</summary>
    public Dictionary<string, string>? Metadata { get; set; }

    public int Reads => Volatile.Read(ref _reads);

    public Uri BaseAddress => _server.BaseAddress;

    public void Dispose() => _server.Dispose();

    private async Task Answer(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (request.HttpMethod == "PUT" && request.Url!.AbsolutePath == "/latest/api/token")
        {
            await Write(response, request.Headers["X-metadata-token-ttl-seconds"] == "60" ? "session-token" : string.Empty);
            return;
        }

        if (request.HttpMethod == "GET" && request.Url!.AbsolutePath == "/" && request.Headers["X-metadata-token"] == "session-token")
        {
            Interlocked.Increment(ref _reads);
            if (Metadata is { } metadata)
            {
                await Write(response, JsonSerializer.Serialize(metadata));
                return;
            }

            response.StatusCode = 503;
            return;
        }

        response.StatusCode = 401;
    }

    private static async Task Write(HttpListenerResponse response, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }
}
