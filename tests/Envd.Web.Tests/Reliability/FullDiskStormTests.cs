using System.Net;
using System.Text.Json;
using Envd.Web.Tests.Files;
using Envd.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Envd.Web.Tests.Reliability;

/// <summary>
/// Many uploads at once into a 1 MiB tmpfs mounted in the test's temp dir (the single-upload case is
/// <c>Files/FullDiskTests</c>): the ones that do not fit answer 507 (racing, they may all fail together), every file
/// is old or new, nothing staged is left, the space comes back, and the daemon keeps serving.
/// </summary>
[Collection(nameof(ResourceSensitive))]
public sealed class FullDiskStormTests(ITestOutputHelper output)
{
    [TmpfsFact]
    public async Task Uploads_racing_for_a_full_disk_each_end_whole_or_in_507_and_leave_nothing_partial()
    {
        TestUsers.EnsureCreated();
        await using var server = await EnvdServer.StartAsync();
        using var disk = new SmallDisk(server.Root);
        var random = new Random(507);
        var targets = Enumerable.Range(0, 16).Select(i =>
        {
            var old = new byte[16 * 1024];
            var fresh = new byte[160 * 1024];
            random.NextBytes(old);
            random.NextBytes(fresh);
            var path = Path.Combine(disk.Path, $"f{i:D2}.bin");
            File.WriteAllBytes(path, old);
            return (Path: path, Old: old, New: fresh, Multipart: i % 2 == 0);
        }).ToList();

        var statuses = await Task.WhenAll(targets.Select(async t =>
        {
            var query = $"/files?path={Uri.EscapeDataString(t.Path)}&username={TestUsers.Regular}";
            using var response = await server.Client.PostAsync(query, t.Multipart ? Multipart.Files(("x", t.New)) : Multipart.Raw(t.New));
            if (response.StatusCode == HttpStatusCode.InsufficientStorage)
            {
                Assert.Equal(507, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetInt32());
            }

            return response.StatusCode;
        }));

        var outcomes = targets.Select(t =>
        {
            var now = File.ReadAllBytes(t.Path);
            return now.AsSpan().SequenceEqual(t.Old) ? "old" : now.AsSpan().SequenceEqual(t.New) ? "new" : "PARTIAL " + t.Path;
        }).ToList();
        output.WriteLine($"{statuses.Count(s => s == HttpStatusCode.OK)} written, {statuses.Count(s => s == HttpStatusCode.InsufficientStorage)} refused with 507; "
            + string.Join(", ", outcomes.GroupBy(o => o.Split(' ')[0]).Select(g => $"{g.Count()} {g.Key}")));

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.InsufficientStorage, s.ToString()));
        Assert.Contains(HttpStatusCode.InsufficientStorage, statuses);
        Assert.DoesNotContain(outcomes, o => o.StartsWith("PARTIAL", StringComparison.Ordinal));
        Assert.Equal(outcomes.Count(o => o == "new"), statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Empty(FileSystemProbe.StagedFiles(disk.Path));
        Assert.Empty(CutUploadTests.JournalEntries(server));

        // The failed uploads gave their space back: with the files that were written removed, one of them alone now fits
        // (when five or more got through, what they hold leaves less than one new file's room).
        foreach (var (target, outcome) in targets.Zip(outcomes).Where(p => p.Second == "new"))
        {
            File.Delete(target.Path);
        }

        var retry = targets[outcomes.IndexOf("old")];
        using (var alone = await server.Client.PostAsync($"/files?path={Uri.EscapeDataString(retry.Path)}&username={TestUsers.Regular}", Multipart.Raw(retry.New)))
        {
            Assert.Equal(HttpStatusCode.OK, alone.StatusCode);
        }

        Assert.Equal(retry.New, await File.ReadAllBytesAsync(retry.Path));
        using var health = await server.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
        var elsewhere = Path.Combine(server.Root, "elsewhere.txt");
        using var other = await server.Client.PostAsync($"/files?path={Uri.EscapeDataString(elsewhere)}", Multipart.Raw("still serving"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
