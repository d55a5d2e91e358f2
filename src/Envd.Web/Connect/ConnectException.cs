using System.Text.Encodings.Web;
using System.Text.Json;

namespace Envd.Web.Connect;

/// <summary>Thrown by a handler (or the transport) to end a call with a Connect error instead of a crash.</summary>
public sealed class ConnectException(ConnectCode code, string message) : Exception(message)
{
    /// <summary>Messages carry paths; only JSON parsers read them, so quotes and apostrophes need no HTML escaping.</summary>
    internal static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public ConnectCode Code { get; } = code;

    /// <summary>Writes Connect's error object: <c>{"code":"not_found","message":"..."}</c>.</summary>
    internal void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("code", Code.WireName());
        json.WriteString("message", Message);
        json.WriteEndObject();
    }
}
