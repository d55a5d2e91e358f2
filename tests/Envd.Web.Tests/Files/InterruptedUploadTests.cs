using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Envd.Web.Tests.Infrastructure;
using static Envd.Web.Tests.Files.UploadTests;

namespace Envd.Web.Tests.Files;

/// <summary>Uploads that never complete: the old file must stay byte for byte and no staged file may remain.</summary>
public sealed class InterruptedUploadTests
{
    private static readonly byte[] OldContent = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the old content. ", 5000)));

    [Theory]
    [InlineData("application/octet-stream")]
    [InlineData("multipart/form-data")]
    public async Task An_upload_cut_mid_body_leaves_the_old_file_intact_and_nothing_staged(string contentType)
    {
        TestUsers.EnsureCreated();
        await using var server = await EnvdServer.StartAsync();
        var (dir, target) = PrepareTarget(server);
        using var socket = await Connect(server);

        await SendPartialUpload(socket, target, contentType, declaredLength: 4_000_000, sentBytes: 1_000_000);
        await WaitUntil(() => FileSystemProbe.StagedFiles(dir).Length > 0);
        socket.Close(0);

        await WaitUntil(() => FileSystemProbe.StagedFiles(dir).Length == 0);
        Assert.Equal(OldContent, await File.ReadAllBytesAsync(target));
        using var health = await server.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
    }

    [Fact]
    public async Task A_stalled_upload_is_cut_by_the_minimum_data_rate()
    {
        TestUsers.EnsureCreated();
        await using var server = await EnvdServer.StartAsync(s => s with
        {
            MinUploadBytesPerSecond = 50_000,
            MinUploadRateGracePeriod = TimeSpan.FromSeconds(1.5),
        });
        var (dir, target) = PrepareTarget(server);
        using var socket = await Connect(server);

        await SendPartialUpload(socket, target, "application/octet-stream", declaredLength: 1_000_000, sentBytes: 1000);
        var clock = Stopwatch.StartNew();
        var answer = await ReadUntilClosed(socket, TimeSpan.FromSeconds(15));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "the server never cut the stalled upload");
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408"), answer);
        await WaitUntil(() => FileSystemProbe.StagedFiles(dir).Length == 0);
        Assert.Equal(OldContent, await File.ReadAllBytesAsync(target));
    }

    private static (string Dir, string Target) PrepareTarget(EnvdServer server)
    {
        var dir = Path.Combine(server.Root, "files");
        Directory.CreateDirectory(dir);
        var target = Path.Combine(dir, "precious.txt");
        File.WriteAllBytes(target, OldContent);
        return (dir, target);
    }

    private static async Task<Socket> Connect(EnvdServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.BaseAddress.Port);
        return socket;
    }

    private static async Task SendPartialUpload(Socket socket, string target, string contentType, int declaredLength, int sentBytes)
    {
        var boundary = Multipart.Boundary;
        var preamble = contentType == "multipart/form-data"
            ? Encoding.UTF8.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n")
            : [];
        var header = $"POST /files?path={Uri.EscapeDataString(target)}&username={TestUsers.Regular} HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\n"
            + $"Content-Type: {contentType}{(preamble.Length > 0 ? "; boundary=" + boundary : string.Empty)}\r\n"
            + $"Content-Length: {declaredLength}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(header));
        await socket.SendAsync(preamble);
        await socket.SendAsync(RandomBytes(sentBytes));
    }

    private static async Task<string> ReadUntilClosed(Socket socket, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "condition not reached in 10 s");
            await Task.Delay(20);
        }
    }
}
