using System.Net;
using System.Text.Json;
using Envd.Linux.Disks;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests;

public sealed class MetricsApiTests
{
    private const string MemInfo = "MemTotal: 2097152 kB\nMemFree: 1000 kB\nMemAvailable: 1572864 kB\nCached: 1000 kB\nSReclaimable: 24 kB\n";

    [Fact]
    public async Task Metrics_answer_upstream_fields_in_upstream_order_from_the_proc_tree()
    {
        var proc = Directory.CreateTempSubdirectory("envd-proc-").FullName;
        File.WriteAllText(Path.Combine(proc, "stat"), "cpu  300 0 100 600 0 0 0 0 0 0\ncpu0 1 1 1 1\n");
        File.WriteAllText(Path.Combine(proc, "cpuinfo"), "processor\t: 0\n\nprocessor\t: 1\n\nprocessor\t: 2\n\nprocessor\t: 3\n");
        File.WriteAllText(Path.Combine(proc, "meminfo"), MemInfo);
        try
        {
            await using var server = await EnvdServer.StartAsync(s => s with { ProcRoot = proc });
            var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

            using var response = await server.Client.GetAsync("/metrics");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            var text = await response.Content.ReadAsStringAsync();
            Assert.EndsWith("}\n", text);
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            Assert.Equal(
                ["ts", "cpu_count", "cpu_used_pct", "mem_total_mib", "mem_used_mib", "mem_total", "mem_used", "mem_cache", "disk_used", "disk_total"],
                root.EnumerateObject().Select(p => p.Name));
            Assert.InRange(root.GetProperty("ts").GetInt64(), before - 5, before + 5);
            Assert.Equal(4, root.GetProperty("cpu_count").GetInt32());
            Assert.Equal(40, root.GetProperty("cpu_used_pct").GetDouble());
            Assert.Equal(2048UL, root.GetProperty("mem_total_mib").GetUInt64());
            Assert.Equal(512UL, root.GetProperty("mem_used_mib").GetUInt64());
            Assert.Equal(2048UL * 1024 * 1024, root.GetProperty("mem_total").GetUInt64());
            Assert.Equal(512UL * 1024 * 1024, root.GetProperty("mem_used").GetUInt64());
            Assert.Equal(1024UL * 1024, root.GetProperty("mem_cache").GetUInt64());
            Assert.Equal(DiskUsage.Of("/").Total, root.GetProperty("disk_total").GetUInt64());
            Assert.True(root.GetProperty("disk_used").GetUInt64() > 0);
        }
        finally
        {
            Directory.Delete(proc, recursive: true);
        }
    }

    [Fact]
    public async Task Metrics_of_the_real_machine_are_plausible()
    {
        await using var server = await EnvdServer.StartAsync();

        using var json = JsonDocument.Parse(await server.Client.GetStringAsync("/metrics"));

        var root = json.RootElement;
        Assert.InRange(root.GetProperty("cpu_count").GetInt32(), 1, 4096);
        Assert.InRange(root.GetProperty("cpu_used_pct").GetDouble(), 0, 100);
        Assert.True(root.GetProperty("mem_used").GetUInt64() < root.GetProperty("mem_total").GetUInt64());
        Assert.True(root.GetProperty("disk_used").GetUInt64() <= root.GetProperty("disk_total").GetUInt64());
    }

    [Fact]
    public async Task A_failed_sample_answers_500_with_a_json_error()
    {
        var proc = Directory.CreateTempSubdirectory("envd-proc-").FullName;
        try
        {
            await using var server = await EnvdServer.StartAsync(s => s with { ProcRoot = proc });

            using var response = await server.Client.GetAsync("/metrics");

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(500, json.RootElement.GetProperty("code").GetInt32());
            Assert.StartsWith("failed to collect metrics: ", json.RootElement.GetProperty("message").GetString());
        }
        finally
        {
            Directory.Delete(proc, recursive: true);
        }
    }
}
