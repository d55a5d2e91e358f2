using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Envd.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Envd.Web.Tests.Reliability;

/// <summary>
/// A request that claims to be huge costs what it actually sent, not what it claimed: a 4 GiB envelope, a 4 GiB
/// Content-Length or megabytes of headers are refused before anything of that size is allocated.
/// </summary>
[Collection(nameof(ResourceSensitive))]
public sealed class MemoryBoundTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Everything the process allocates while one refused request is handled, client side included.</summary>
    private const long AllocationBound = 16 * 1024 * 1024;

    private EnvdServer _server = null!;

    public async Task InitializeAsync() => _server = await EnvdServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(0xFFFFFFFFu, "resource_exhausted")]
    [InlineData(60u * 1024 * 1024, "invalid_argument")]
    public async Task A_stream_envelope_that_claims_more_than_it_sends_costs_only_what_it_sent(uint declared, string expectedCode)
    {
        var header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), declared);
        var request = RawHttp.Request(
            "POST",
            "/filesystem.Filesystem/WatchDir",
            [("Content-Type", "application/connect+json"), ("Connect-Protocol-Version", "1")],
            [.. header, .. "{\"path\":\"/tmp\"}"u8]);

        var (response, allocated) = await Measure(() => RawHttp.SendAsync(_server.BaseAddress, request, TimeSpan.FromSeconds(30)));

        Assert.Equal(200, response.Status);
        var end = response.Body.AsSpan(5).ToArray();
        Assert.Equal(0x02, response.Body[0]);
        Assert.Equal(expectedCode, JsonDocument.Parse(end).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task A_unary_call_that_declares_4_GiB_is_refused_without_reading_it()
    {
        var (response, allocated) = await Measure(() => SendHeadAndFewBytes(
            "POST /filesystem.Filesystem/Stat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4294967296\r\n\r\n{\"path\":"));

        Assert.Equal(429, response.Status);
        Assert.Equal("resource_exhausted", JsonDocument.Parse(response.Body).RootElement.GetProperty("code").GetString());
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task An_init_body_that_declares_4_GiB_is_refused_without_reading_it()
    {
        var (response, allocated) = await Measure(() => SendHeadAndFewBytes(
            "POST /init HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4294967296\r\n\r\n{\"envVars\":"));

        Assert.Equal(413, response.Status);
        Assert.Equal(413, JsonDocument.Parse(response.Body).RootElement.GetProperty("code").GetInt32());
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task Megabytes_of_headers_are_cut_off_at_the_header_limit()
    {
        var filler = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 1024).Select(i => $"X-Filler-{i:D4}: {new string('h', 40)}\r\n")));

        var (response, allocated) = await Measure(async () =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(_server.BaseAddress.Host, _server.BaseAddress.Port);
            var stream = client.GetStream();
            try
            {
                await stream.WriteAsync("GET /health HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
                for (var sent = 0L; sent < 64L * 1024 * 1024; sent += filler.Length)
                {
                    await stream.WriteAsync(filler);
                }
            }
            catch (IOException)
            {
                // Kestrel answers and closes once the header block passes its limit.
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await RawHttp.ReadResponseAsync(stream, head: false, timeout.Token);
        });

        Assert.Equal(431, response.Status);
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task A_multipart_part_with_megabytes_of_headers_is_refused_at_the_part_header_limit()
    {
        var target = Path.Combine(_server.Root, "never.bin");
        var line = Encoding.ASCII.GetBytes("X-Part-Filler: " + new string('h', 1000) + "\r\n");
        const long fillerBytes = 64L * 1024 * 1024;
        var prefix = Encoding.ASCII.GetBytes("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n");
        var head = Encoding.ASCII.GetBytes(
            $"POST /files?path={Uri.EscapeDataString(target)} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b0undary\r\n"
            + $"Content-Length: {prefix.Length + (fillerBytes / line.Length * line.Length)}\r\n\r\n");

        var (response, allocated) = await Measure(async () =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(_server.BaseAddress.Host, _server.BaseAddress.Port);
            var stream = client.GetStream();
            try
            {
                await stream.WriteAsync(head);
                await stream.WriteAsync(prefix);
                for (var sent = 0L; sent + line.Length <= fillerBytes; sent += line.Length)
                {
                    await stream.WriteAsync(line);
                }
            }
            catch (IOException)
            {
                // The daemon answers and closes once the part's header block passes its limit.
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            return await RawHttp.ReadResponseAsync(stream, head: false, timeout.Token);
        });

        Assert.Equal(400, response.Status);
        Assert.Equal(400, JsonDocument.Parse(response.Body).RootElement.GetProperty("code").GetInt32());
        Assert.False(File.Exists(target));
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    private async Task<RawResponse> SendHeadAndFewBytes(string head)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_server.BaseAddress.Host, _server.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await RawHttp.ReadResponseAsync(stream, head: false, timeout.Token);
    }

    private async Task<(T Result, long Allocated)> Measure<T>(Func<Task<T>> action)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await action();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"allocated {allocated / 1024} KiB");
        return (result, allocated);
    }
}
