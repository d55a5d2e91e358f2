using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text.Json;

namespace Envd.Web.Connect;

/// <summary>
/// Connect's stream framing: one flag byte, a 4-byte big-endian length, the payload. Flag 0x01 marks a compressed
/// message, 0x02 the end-of-stream envelope that closes every response stream.
/// </summary>
public static class Envelopes
{
    public const byte CompressedFlag = 0x01;
    public const byte EndStreamFlag = 0x02;
    public const int HeaderLength = 5;

    /// <summary>No single message is this large in practice; a bigger declared length is refused before any allocation.</summary>
    public const int MaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>Reads the next message payload, or null at a clean end of the body.</summary>
    /// <exception cref="ConnectException">The body is truncated, oversized, compressed or carries unknown flags.</exception>
    public static async ValueTask<byte[]?> ReadAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAtLeastAsync(HeaderLength, cancellationToken);
        var buffer = result.Buffer;
        if (buffer.Length < HeaderLength)
        {
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (buffer.IsEmpty)
            {
                return null;
            }

            throw new ConnectException(ConnectCode.InvalidArgument, $"protocol error: incomplete envelope: {buffer.Length} of {HeaderLength} header bytes");
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        var flags = header[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        reader.AdvanceTo(buffer.Start);
        if ((flags & CompressedFlag) != 0)
        {
            throw new ConnectException(ConnectCode.Internal, "protocol error: received a compressed message, but no compression was negotiated");
        }

        if (flags != 0)
        {
            throw new ConnectException(ConnectCode.InvalidArgument, $"protocol error: invalid envelope flags 0x{flags:x2}");
        }

        if (length > MaxMessageBytes)
        {
            throw new ConnectException(ConnectCode.ResourceExhausted, $"message size {length} is larger than the limit of {MaxMessageBytes} bytes");
        }

        var total = HeaderLength + (int)length;
        result = await reader.ReadAtLeastAsync(total, cancellationToken);
        buffer = result.Buffer;
        if (buffer.Length < total)
        {
            reader.AdvanceTo(buffer.Start, buffer.End);
            throw new ConnectException(
                ConnectCode.InvalidArgument, $"protocol error: promised {length} bytes in enveloped message, got {buffer.Length - HeaderLength} bytes");
        }

        var payload = buffer.Slice(HeaderLength, length).ToArray();
        reader.AdvanceTo(buffer.GetPosition(total));
        return payload;
    }

    public static byte[] Frame(byte flags, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderLength + payload.Length];
        frame[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderLength));
        return frame;
    }

    /// <summary>The end-of-stream payload: <c>{}</c>, or <c>{"error":{"code":...,"message":...}}</c>. It is JSON whatever the codec.</summary>
    public static byte[] EndOfStream(ConnectException? error)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ConnectException.JsonOptions))
        {
            json.WriteStartObject();
            if (error is not null)
            {
                json.WritePropertyName("error");
                error.WriteJson(json);
            }

            json.WriteEndObject();
        }

        return Frame(EndStreamFlag, buffer.ToArray());
    }
}
