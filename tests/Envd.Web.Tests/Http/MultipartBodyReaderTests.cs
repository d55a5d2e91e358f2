using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Envd.Web.Http;

namespace Envd.Web.Tests.Http;

public sealed class MultipartBodyReaderTests
{
    private const string Boundary = "----formdata-undici-012345678901";

    private static byte[] Body(string preamble, params (string Headers, byte[] Content)[] parts)
    {
        var body = new MemoryStream();
        body.Write(Encoding.UTF8.GetBytes(preamble));
        foreach (var (headers, content) in parts)
        {
            body.Write(Encoding.UTF8.GetBytes($"--{Boundary}\r\n{headers}\r\n\r\n"));
            body.Write(content);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.UTF8.GetBytes($"--{Boundary}--\r\nepilogue"));
        return body.ToArray();
    }

    private static byte[] Pattern(int length, int seed) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + seed)).ToArray();

    /// <summary>Feeds <paramref name="body"/> through a pipe in pieces of at most <paramref name="piece"/> bytes.</summary>
    private static async Task<List<(string? Disposition, byte[] Content)>> ReadAll(byte[] body, int piece, int readSize = 64 * 1024)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var writing = Task.Run(async () =>
        {
            for (var offset = 0; offset < body.Length; offset += piece)
            {
                await pipe.Writer.WriteAsync(body.AsMemory(offset, Math.Min(piece, body.Length - offset)));
            }

            await pipe.Writer.CompleteAsync();
        });

        var reader = new MultipartBodyReader(pipe.Reader, Boundary);
        var parts = new List<(string?, byte[])>();
        while (await reader.NextPartAsync(CancellationToken.None) is { } part)
        {
            var content = new MemoryStream();
            var buffer = new byte[readSize];
            int read;
            while ((read = await part.Content.ReadAsync(buffer)) > 0)
            {
                content.Write(buffer, 0, read);
            }

            parts.Add((part.ContentDisposition, content.ToArray()));
        }

        await writing;
        return parts;
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(3, 64 * 1024)]
    [InlineData(4096, 100)]
    [InlineData(1 << 20, 64 * 1024)]
    public async Task Parts_come_out_whole_however_the_body_arrives(int piece, int readSize)
    {
        var big = Pattern(300_000, 1);
        var body = Body(
            "a preamble to skip\r\n",
            ("Content-Disposition: form-data; name=\"file\"; filename=\"/tmp/ä b.bin\"\r\nContent-Type: application/octet-stream", big),
            ("content-disposition:form-data; name=\"note\"", "hello"u8.ToArray()),
            ("Content-Type: text/plain", []));

        var parts = await ReadAll(body, piece, readSize);

        Assert.Equal(3, parts.Count);
        Assert.Equal("form-data; name=\"file\"; filename=\"/tmp/ä b.bin\"", parts[0].Disposition);
        Assert.Equal(big, parts[0].Content);
        Assert.Equal("form-data; name=\"note\"", parts[1].Disposition);
        Assert.Equal("hello"u8.ToArray(), parts[1].Content);
        Assert.Null(parts[2].Disposition);
        Assert.Empty(parts[2].Content);
    }

    [Fact]
    public async Task Content_that_nearly_matches_the_delimiter_is_kept()
    {
        var tricky = Encoding.ASCII.GetBytes($"x\r\n--{Boundary[..^1]}y\r\n--\r\n-{Boundary}\r\n\r");

        var parts = await ReadAll(Body("", ("Content-Disposition: form-data; name=\"file\"", tricky)), piece: 5);

        Assert.Equal(tricky, Assert.Single(parts).Content);
    }

    [Fact]
    public async Task A_part_left_unread_is_skipped_for_the_next()
    {
        var body = Body("", ("Content-Disposition: form-data; name=\"a\"", Pattern(100_000, 2)), ("Content-Disposition: form-data; name=\"b\"", "two"u8.ToArray()));
        var reader = new MultipartBodyReader(PipeReader.Create(new ReadOnlySequence<byte>(body)), Boundary);

        var first = await reader.NextPartAsync(CancellationToken.None);
        Assert.True(await first!.Content.ReadAsync(new byte[10]) > 0);
        var second = await reader.NextPartAsync(CancellationToken.None);

        Assert.Equal("form-data; name=\"b\"", second!.ContentDisposition);
        Assert.Equal("two", await new StreamReader(second.Content).ReadToEndAsync());
        Assert.Null(await reader.NextPartAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Spaces_after_a_boundary_are_allowed_and_a_body_of_no_parts_is_empty()
    {
        var padded = Encoding.ASCII.GetBytes($"--{Boundary}  \t\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--{Boundary}--");
        var empty = Encoding.ASCII.GetBytes($"--{Boundary}--\r\n");

        Assert.Equal("x"u8.ToArray(), Assert.Single(await ReadAll(padded, piece: 2)).Content);
        Assert.Empty(await ReadAll(empty, piece: 2));
    }

    [Theory]
    [InlineData("no boundary at all", "multipart: the body ends before its next boundary")]
    [InlineData("--" + Boundary + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ncut short", "multipart: the body ends inside a part")]
    [InlineData("--" + Boundary + "\r\nContent-Disposition: form-data", "multipart: the body ends in a part's headers")]
    [InlineData("--" + Boundary + "junk\r\n", "multipart: a boundary is followed by neither CRLF nor --")]
    [InlineData("--" + Boundary, "multipart: the body ends after a boundary")]
    public async Task Malformed_bodies_fail_with_a_clear_message(string body, string message)
    {
        var error = await Assert.ThrowsAsync<IOException>(() => ReadAll(Encoding.UTF8.GetBytes(body), piece: 3));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("no boundary at all")]
    [InlineData("--" + Boundary + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ncut short")]
    [InlineData("--" + Boundary + "\r\nContent-Disposition: form-data")]
    [InlineData("--" + Boundary + "junk\r\n")]
    [InlineData("--" + Boundary)]
    public async Task A_malformed_body_leaves_no_read_pending_so_the_server_can_still_drain_it(string body)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(body));
        await pipe.Writer.CompleteAsync();
        var reader = new MultipartBodyReader(pipe.Reader, Boundary);

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            while (await reader.NextPartAsync(CancellationToken.None) is { } part)
            {
                await part.Content.CopyToAsync(Stream.Null);
            }
        });

        // A read left pending would make this throw InvalidOperationException ("reading is already in progress").
        var rest = await pipe.Reader.ReadAsync();
        pipe.Reader.AdvanceTo(rest.Buffer.End);
        Assert.True(rest.IsCompleted);
    }

    [Fact]
    public async Task Headers_longer_than_the_limit_are_refused()
    {
        var body = Encoding.ASCII.GetBytes($"--{Boundary}\r\nX-Long: {new string('a', MultipartBodyReader.MaxHeaderBytes)}\r\n\r\nx\r\n--{Boundary}--");

        var error = await Assert.ThrowsAsync<IOException>(() => ReadAll(body, piece: 1000));

        Assert.Equal($"multipart: a part's headers are longer than {MultipartBodyReader.MaxHeaderBytes} bytes", error.Message);
    }

    [Theory]
    [InlineData(new[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 })]
    [InlineData(new[] { 3, 1, 4, 2 })]
    [InlineData(new[] { 8, 2 })]
    [InlineData(new[] { 0, 5, 0, 5 })]
    public void A_value_is_found_across_any_split_into_segments(int[] sizes)
    {
        var data = "0123456789"u8.ToArray();
        var sequence = Segments(data, sizes);

        for (var start = 0; start < data.Length; start++)
        {
            for (var length = 1; start + length <= data.Length; length++)
            {
                Assert.Equal(start, MultipartBodyReader.IndexOf(sequence, data.AsSpan(start, length)));
            }
        }

        Assert.Equal(-1, MultipartBodyReader.IndexOf(sequence, "90"u8));
    }

    private static ReadOnlySequence<byte> Segments(byte[] data, int[] sizes)
    {
        Segment? first = null, last = null;
        var offset = 0;
        foreach (var size in sizes)
        {
            var segment = new Segment(data.AsMemory(offset, size), last?.RunningIndex + last?.Memory.Length ?? 0);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.Next = segment;
            }

            last = segment;
            offset += size;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public new Segment? Next
        {
            get => (Segment?)base.Next;
            set => base.Next = value;
        }
    }
}
