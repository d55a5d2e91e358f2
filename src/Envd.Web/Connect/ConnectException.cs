namespace Envd.Web.Connect;

/// <summary>Thrown by a handler (or the transport) to end a call with a Connect error instead of a crash.</summary>
public sealed class ConnectException(ConnectCode code, string message) : Exception(message)
{
    public ConnectCode Code { get; } = code;
}
