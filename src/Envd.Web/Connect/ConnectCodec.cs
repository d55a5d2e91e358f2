using System.Text;
using Google.Protobuf;

namespace Envd.Web.Connect;

/// <summary>
/// The two message encodings Connect carries: proto3 canonical JSON (what the SDKs send) and binary protobuf.
/// JSON ignores unknown fields and accepts both field spellings; output is lowerCamelCase with defaults left out.
/// </summary>
public sealed class ConnectCodec
{
    public static readonly ConnectCodec Json = new("json");
    public static readonly ConnectCodec Proto = new("proto");

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    private ConnectCodec(string name) => Name = name;

    /// <summary>The codec's name in content types: <c>application/{Name}</c>, <c>application/connect+{Name}</c>.</summary>
    public string Name { get; }

    public bool IsJson => ReferenceEquals(this, Json);

    /// <exception cref="ConnectException">invalid_argument when the payload is not a valid message.</exception>
    public T Parse<T>(ReadOnlySpan<byte> payload)
        where T : IMessage<T>, new()
    {
        var message = new T();
        try
        {
            if (!IsJson)
            {
                message.MergeFrom(payload);
                return message;
            }

            // Connect's JSON codec treats an empty body as an error, not as an empty message.
            if (payload.IsEmpty)
            {
                throw new ConnectException(ConnectCode.InvalidArgument, $"unmarshal into {message.Descriptor.FullName}: zero-length payload is not a valid JSON object");
            }

            return Parser.Parse<T>(Encoding.UTF8.GetString(payload));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException or ArgumentException or OverflowException)
        {
            throw new ConnectException(ConnectCode.InvalidArgument, $"unmarshal into {message.Descriptor.FullName}: {e.Message}");
        }
    }

    public byte[] Serialize(IMessage message) =>
        IsJson ? Encoding.UTF8.GetBytes(Formatter.Format(message)) : message.ToByteArray();
}
