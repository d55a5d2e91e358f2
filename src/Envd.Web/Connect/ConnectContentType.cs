using Microsoft.Net.Http.Headers;

namespace Envd.Web.Connect;

/// <summary>What a request's Content-Type says about its Connect shape: unary (<c>application/json</c>) or enveloped stream.</summary>
public readonly record struct ConnectContentType(bool Streaming, ConnectCodec Codec)
{
    public const string StreamingPrefix = "application/connect+";

    public static ConnectContentType? Parse(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var header) || header.MediaType.Value is not { } media)
        {
            return null;
        }

        return media.ToLowerInvariant() switch
        {
            "application/json" => new ConnectContentType(false, ConnectCodec.Json),
            "application/proto" => new ConnectContentType(false, ConnectCodec.Proto),
            "application/connect+json" => new ConnectContentType(true, ConnectCodec.Json),
            "application/connect+proto" => new ConnectContentType(true, ConnectCodec.Proto),
            _ => null,
        };
    }
}
