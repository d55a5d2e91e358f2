using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Envd.Web.Tests.Files;
using Envd.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Envd.Web.Tests.Reliability;

/// <summary>
/// 200 uploads over existing files, raw and multipart, each cut at a random byte offset by the client closing or
/// resetting the connection (some cuts land in the multipart trailer, some past the last byte). Every target must be
/// byte for byte its old content or its new one, and no staged file or journal entry may remain.
/// </summary>
[Collection(nameof(ResourceSensitive))]
public sealed class CutUploadTests(ITestOutputHelper output)
{
    private const int Uploads = 200;
    private const int Concurrency = 16;

    [Fact]
    public async Task Two_hundred_uploads_cut_anywhere_leave_every_file_old_or_new_and_nothing_staged()
    {
        TestUsers.EnsureCreated();
        var logs = new CapturedLogs();
        await using var server = await EnvdServer.StartAsync(overrides: services => services.AddSingleton<ILoggerProvider>(logs));
        var dir = Path.Combine(server.Root, "cut");
        Directory.CreateDirectory(dir);
        var random = new Random(9);
        var cases = Enumerable.Range(0, Uploads).Select(i => UploadCase.Make(dir, i, random)).ToList();
        foreach (var upload in cases)
        {
            await File.WriteAllBytesAsync(upload.Target, upload.Old);
        }

        using var gate = new SemaphoreSlim(Concurrency);
        await Task.WhenAll(cases.Select(async upload =>
        {
            await gate.WaitAsync();
            try
            {
                await SendCut(server.BaseAddress, upload);
            }
            finally
            {
                gate.Release();
            }
        }));

        await WaitUntil(() => FileSystemProbe.StagedFiles(dir).Length == 0 && JournalEntries(server).Length == 0, TimeSpan.FromSeconds(30));
        var outcomes = cases.Select(upload =>
        {
            var now = File.ReadAllBytes(upload.Target);
            return now.AsSpan().SequenceEqual(upload.Old) ? "old" : now.AsSpan().SequenceEqual(upload.New) ? "new" : $"PARTIAL {upload}";
        }).ToList();
        output.WriteLine(string.Join(", ", outcomes.GroupBy(o => o.Split(' ')[0]).Select(g => $"{g.Count()} {g.Key}")));

        Assert.DoesNotContain(outcomes, o => o.StartsWith("PARTIAL", StringComparison.Ordinal));
        Assert.Contains("old", outcomes);
        Assert.Contains("new", outcomes);

        // A cut must end its request cleanly: a read left pending on the connection makes Kestrel drop it with a warning.
        var kestrel = logs.Entries.Where(e => e.Level >= LogLevel.Warning && e.Category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal)).ToList();
        Assert.True(kestrel.Count == 0, string.Join("\n", kestrel.Select(e => e.Message)));
        using var health = await server.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
    }

    internal static string[] JournalEntries(EnvdServer server) =>
        Directory.EnumerateFileSystemEntries(Path.Combine(server.Settings.RunDir, "staging"), "*", SearchOption.AllDirectories)
            .Where(e => Path.GetFileName(e) != "lock" && !Directory.Exists(e))
            .ToArray();

    private static async Task SendCut(Uri server, UploadCase upload)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, server.Port);
        var request = upload.Request;
        try
        {
            await socket.SendAsync(request.AsMemory(0, upload.Cut));
            if (upload.Cut == request.Length)
            {
                // Sent whole: let the answer come, then leave.
                var buffer = new byte[4096];
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                while (await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token) > 0)
                {
                }
            }
            else
            {
                // Give the server a moment to start staging what it got, then cut.
                await Task.Delay(upload.Linger);
            }
        }
        catch (SocketException)
        {
            // The server may already have refused and closed.
        }

        if (upload.Reset)
        {
            socket.Close(0);
        }
        else
        {
            socket.Shutdown(SocketShutdown.Both);
            socket.Close();
        }
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < limit, $"not settled after {limit}");
            await Task.Delay(50);
        }
    }

    private sealed record UploadCase(string Target, byte[] Old, byte[] New, byte[] Request, int Cut, bool Reset, bool Multipart, TimeSpan Linger)
    {
        public static UploadCase Make(string dir, int i, Random random)
        {
            var target = Path.Combine(dir, $"file-{i:D3}.bin");
            var old = Bytes(random, random.Next(1, 64 * 1024));
            var content = Bytes(random, random.Next(1, 256 * 1024));
            var multipart = i % 2 == 1;
            var query = $"/files?path={Uri.EscapeDataString(target)}&username={TestUsers.Regular}";
            byte[] body;
            string type;
            if (multipart)
            {
                body = [.. Encoding.ASCII.GetBytes($"--{Files.Multipart.Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n"),
                    .. content, .. Encoding.ASCII.GetBytes($"\r\n--{Files.Multipart.Boundary}--\r\n")];
                type = $"multipart/form-data; boundary={Files.Multipart.Boundary}";
            }
            else
            {
                body = content;
                type = "application/octet-stream";
            }

            // Many cut ones keep their connection alive, as SDKs and load tools do: Kestrel then goes on to read a next request
            // there. Whole ones ask for close, so the answer ends with the connection.
            var connection = i % 4 < 2 || i % 10 == 0 ? "Connection: close\r\n" : string.Empty;
            var head = Encoding.ASCII.GetBytes($"POST {query} HTTP/1.1\r\nHost: 127.0.0.1\r\n{connection}Content-Type: {type}\r\nContent-Length: {body.Length}\r\n\r\n");
            byte[] request = [.. head, .. body];

            // Most cuts fall anywhere in the body; some in its last 64 bytes (the multipart trailer), some nowhere.
            var cut = (i % 10) switch
            {
                0 => request.Length,
                1 or 2 => Math.Max(head.Length, request.Length - random.Next(1, 64)),
                _ => random.Next(head.Length, request.Length),
            };
            return new UploadCase(target, old, content, request, cut, random.Next(2) == 0, multipart, TimeSpan.FromMilliseconds(random.Next(0, 30)));
        }

        public override string ToString() => $"{Path.GetFileName(Target)} ({(Multipart ? "multipart" : "raw")}, cut at {Cut} of {Request.Length}, {(Reset ? "reset" : "close")})";

        private static byte[] Bytes(Random random, int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }
    }
}
