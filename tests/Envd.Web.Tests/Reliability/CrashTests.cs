using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Envd.Web.Tests.Files;
using Envd.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Envd.Web.Tests.Reliability;

/// <summary>
/// <c>kill -9</c> of a separately started daemon during 32 concurrent uploads, then a restart: every target is its old
/// content or its new one, and the restarted daemon removes the staged files the dead one left.
/// </summary>
[Collection(nameof(ResourceSensitive))]
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Uploads = 32;
    private const int UploadBytes = 8 * 1024 * 1024;
    private readonly string _dir = Directory.CreateTempSubdirectory("envd-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_daemon_killed_mid_upload_leaves_files_old_or_new_and_its_restart_removes_the_strays()
    {
        var random = new Random(32);
        var targets = Enumerable.Range(0, Uploads).Select(i =>
        {
            var old = new byte[64 * 1024];

            // A quarter are small enough to be renamed into place before the kill.
            var fresh = new byte[i % 4 == 0 ? 128 * 1024 : UploadBytes];
            random.NextBytes(old);
            random.NextBytes(fresh);
            var path = Path.Combine(_dir, $"target-{i:D2}.bin");
            File.WriteAllBytes(path, old);
            return (Path: path, Old: old, New: fresh);
        }).ToList();

        var (daemon, client) = await DaemonProcess.StartAsync();
        var killed = false;
        try
        {
            var uploads = targets.Select(t => Upload(client, t.Path, t.New)).ToList();
            await WaitUntil(() => FileSystemProbe.StagedFiles(_dir).Length >= Uploads / 2 && targets.Any(t => new FileInfo(t.Path).Length == t.New.Length), TimeSpan.FromSeconds(30));

            // DaemonProcess kills with SIGKILL: no shutdown hook of the daemon runs.
            daemon.Dispose();
            killed = true;
            await Task.WhenAll(uploads.Select(u => u.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
        finally
        {
            if (!killed)
            {
                daemon.Dispose();
            }

            client.Dispose();
        }

        var strays = FileSystemProbe.StagedFiles(_dir).Length;
        var (restarted, restartedClient) = await DaemonProcess.StartAsync();
        using (restarted)
        using (restartedClient)
        {
            var left = FileSystemProbe.StagedFiles(_dir);
            var outcomes = targets.Select(t =>
            {
                var now = File.ReadAllBytes(t.Path);
                return now.AsSpan().SequenceEqual(t.Old) ? "old" : now.AsSpan().SequenceEqual(t.New) ? "new" : "PARTIAL " + t.Path;
            }).ToList();
            output.WriteLine($"killed with {strays} staged files; after restart {left.Length}; "
                + string.Join(", ", outcomes.GroupBy(o => o.Split(' ')[0]).Select(g => $"{g.Count()} {g.Key}")));

            Assert.True(strays > 0, "the kill left nothing staged: it came too late to test the sweep");
            Assert.Empty(left);
            Assert.DoesNotContain(outcomes, o => o.StartsWith("PARTIAL", StringComparison.Ordinal));
            using var health = await restartedClient.GetAsync("/health");
            Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
        }
    }

    /// <summary>A raw upload trickled in 64 KiB pieces, so that it is still in flight when the daemon dies.</summary>
    private static async Task Upload(HttpClient client, string path, byte[] content)
    {
        var body = new TrickleContent(content, TimeSpan.FromMilliseconds(20));
        using var response = await client.PostAsync($"/files?path={Uri.EscapeDataString(path)}&username=root", body);
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < limit, $"not reached after {limit}");
            await Task.Delay(20);
        }
    }

    private sealed class TrickleContent : HttpContent
    {
        private readonly byte[] _content;
        private readonly TimeSpan _pause;

        public TrickleContent(byte[] content, TimeSpan pause)
        {
            _content = content;
            _pause = pause;
            Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < _content.Length; offset += 64 * 1024)
            {
                await stream.WriteAsync(_content.AsMemory(offset, Math.Min(64 * 1024, _content.Length - offset)));
                await stream.FlushAsync();
                await Task.Delay(_pause);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _content.Length;
            return true;
        }
    }
}
