using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Envd.Web.Http;

/// <summary>One part of a multipart body: its <c>Content-Disposition</c> header (null when absent) and its content.</summary>
public sealed record MultipartPart(string? ContentDisposition, Stream Content);

/// <summary>
/// Reads a multipart body (RFC 2046) straight off its pipe: each part's content is copied once, from the pipe's buffers
/// into the reader's. ASP.NET's MultipartReader copies every byte twice more, through a buffer of its own (64 KiB per
/// request, never returned to its pool) and a pooled one behind <see cref="Stream.Read(Span{byte})"/>.
/// </summary>
/// <remarks>Malformed bodies fail with an <see cref="IOException"/> whose message starts with <c>multipart:</c>.</remarks>
public sealed class MultipartBodyReader
{
    /// <summary>What ASP.NET's reader allows for one part's header block.</summary>
    public const int MaxHeaderBytes = 16 * 1024;

    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private readonly PipeReader _body;

    /// <summary>CRLF, <c>--</c> and the boundary: what ends a part's content.</summary>
    private readonly byte[] _delimiter;

    private PartContent? _current;
    private bool _started;
    private bool _finished;

    public MultipartBodyReader(PipeReader body, string boundary)
    {
        _body = body;
        _delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
    }

    /// <summary>
    /// The next part, positioned at the start of its content, or null after the closing delimiter. Whatever the caller
    /// left unread of the previous part is skipped.
    /// </summary>
    public async ValueTask<MultipartPart?> NextPartAsync(CancellationToken cancellationToken)
    {
        if (_finished)
        {
            return null;
        }

        if (_current is { } previous)
        {
            await previous.SkipRestAsync(cancellationToken);
        }

        // The first delimiter may open the body without a CRLF before it; anything before it is a preamble to skip.
        await SkipPastAsync(_started ? _delimiter : _delimiter.AsMemory(LineEnd.Length), cancellationToken);
        _started = true;
        if (await EndsBodyAsync(cancellationToken))
        {
            _finished = true;
            _current = null;
            return null;
        }

        var disposition = await ReadHeadersAsync(cancellationToken);
        _current = new PartContent(this);
        return new MultipartPart(disposition, _current);
    }

    /// <summary>Completes the body pipe: no part can be read after this.</summary>
    public void Complete() => _body.Complete();

    /// <summary>Consumes everything up to and including <paramref name="marker"/>.</summary>
    private async ValueTask SkipPastAsync(ReadOnlyMemory<byte> marker, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _body.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var at = IndexOf(buffer, marker.Span);
            if (at >= 0)
            {
                _body.AdvanceTo(buffer.GetPosition(at + marker.Length));
                return;
            }

            if (result.IsCompleted)
            {
                throw Malformed(buffer, "multipart: the body ends before its next boundary");
            }

            // Keep what could be the start of the marker; the rest is preamble or skipped content.
            _body.AdvanceTo(buffer.GetPosition(Math.Max(0, buffer.Length - (marker.Length - 1))), buffer.End);
        }
    }

    /// <summary>After a delimiter: <c>--</c> closes the body; otherwise optional spaces and a CRLF open a part.</summary>
    private async ValueTask<bool> EndsBodyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _body.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (reader.IsNext("--"u8, advancePast: false))
            {
                _body.AdvanceTo(buffer.GetPosition(2));
                return true;
            }

            reader.AdvancePastAny((byte)' ', (byte)'\t');
            if (reader.IsNext(LineEnd, advancePast: true))
            {
                _body.AdvanceTo(reader.Position);
                return false;
            }

            if (reader.Remaining >= LineEnd.Length)
            {
                throw Malformed(buffer, "multipart: a boundary is followed by neither CRLF nor --");
            }

            if (result.IsCompleted)
            {
                throw Malformed(buffer, "multipart: the body ends after a boundary");
            }

            _body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads a part's header block and returns its <c>Content-Disposition</c>, or null.</summary>
    private async ValueTask<string?> ReadHeadersAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _body.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (new SequenceReader<byte>(buffer).IsNext(LineEnd))
            {
                _body.AdvanceTo(buffer.GetPosition(LineEnd.Length));
                return null;
            }

            var end = IndexOf(buffer.Slice(0, Math.Min(buffer.Length, MaxHeaderBytes + HeaderEnd.Length)), HeaderEnd);
            if (end >= 0)
            {
                var disposition = ContentDispositionOf(Encoding.UTF8.GetString(buffer.Slice(0, end)));
                _body.AdvanceTo(buffer.GetPosition(end + HeaderEnd.Length));
                return disposition;
            }

            if (buffer.Length > MaxHeaderBytes)
            {
                throw Malformed(buffer, $"multipart: a part's headers are longer than {MaxHeaderBytes} bytes");
            }

            if (result.IsCompleted)
            {
                throw Malformed(buffer, "multipart: the body ends in a part's headers");
            }

            _body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Ends the pending read before the error leaves this reader: a read never advanced leaves the request body in a
    /// state where Kestrel can no longer drain it, and the connection would be dropped instead of answered.
    /// </summary>
    private IOException Malformed(in ReadOnlySequence<byte> buffer, string message)
    {
        _body.AdvanceTo(buffer.Start, buffer.End);
        return new IOException(message);
    }

    private static string? ContentDispositionOf(string headers)
    {
        foreach (var line in headers.Split("\r\n"))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Content-Disposition", StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    /// <summary>Where <paramref name="value"/> first starts in <paramref name="buffer"/>, also across segments, or -1.</summary>
    internal static long IndexOf(in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> value)
    {
        if (buffer.IsSingleSegment)
        {
            return buffer.FirstSpan.IndexOf(value);
        }

        // The last value.Length - 1 bytes before the current segment, to find a match that starts before it.
        var keep = value.Length - 1;
        Span<byte> tail = stackalloc byte[keep];
        Span<byte> seam = stackalloc byte[2 * keep];
        var tailLength = 0;
        long offset = 0;
        foreach (var memory in buffer)
        {
            var span = memory.Span;
            if (tailLength > 0)
            {
                var head = span[..Math.Min(span.Length, keep)];
                tail[..tailLength].CopyTo(seam);
                head.CopyTo(seam[tailLength..]);
                var across = seam[..(tailLength + head.Length)].IndexOf(value);
                if (across >= 0)
                {
                    return offset - tailLength + across;
                }
            }

            var within = span.IndexOf(value);
            if (within >= 0)
            {
                return offset + within;
            }

            if (span.Length >= keep)
            {
                span[^keep..].CopyTo(tail);
                tailLength = keep;
            }
            else
            {
                var kept = Math.Min(tailLength, keep - span.Length);
                tail[(tailLength - kept)..tailLength].CopyTo(tail);
                span.CopyTo(tail[kept..]);
                tailLength = kept + span.Length;
            }

            offset += span.Length;
        }

        return -1;
    }

    /// <summary>A part's content: the body up to the next delimiter, which it leaves for the next part.</summary>
    private sealed class PartContent(MultipartBodyReader owner) : Stream
    {
        private bool _ended;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            if (_ended || destination.IsEmpty)
            {
                return 0;
            }

            var body = owner._body;
            var delimiter = owner._delimiter;
            while (true)
            {
                var result = await body.ReadAsync(cancellationToken);
                var buffer = result.Buffer;

                // Search only what fits, plus room for a delimiter starting in it: each byte is searched about once.
                var window = buffer.Slice(0, Math.Min(buffer.Length, destination.Length + delimiter.Length - 1));
                var at = IndexOf(window, delimiter);
                var take = at >= 0 ? at : Math.Min(destination.Length, window.Length - (delimiter.Length - 1));
                if (at == 0)
                {
                    body.AdvanceTo(buffer.Start);
                    _ended = true;
                    return 0;
                }

                if (take > 0)
                {
                    buffer.Slice(0, take).CopyTo(destination.Span);
                    body.AdvanceTo(buffer.GetPosition(take));
                    return (int)take;
                }

                if (result.IsCompleted)
                {
                    throw owner.Malformed(buffer, "multipart: the body ends inside a part");
                }

                body.AdvanceTo(buffer.Start, buffer.End);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException("a part is read asynchronously");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        /// <summary>Reads past whatever is left of this part, so the next one can start.</summary>
        public async ValueTask SkipRestAsync(CancellationToken cancellationToken)
        {
            var scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                while (await ReadAsync(scratch, cancellationToken) > 0)
                {
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }
}
