using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Envd.Web.Http;

/// <summary>A JSON body the way Go's json.Encoder writes it: <c>application/json</c> and a trailing newline.</summary>
public sealed class JsonLine<T>(T value, JsonTypeInfo<T> typeInfo) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = "application/json";
        await httpContext.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        await httpContext.Response.Body.WriteAsync("\n"u8.ToArray());
    }
}
