using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Envd.Web.Endpoints;

namespace Envd.Web.Http;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ApiError.ErrorBody))]
[JsonSerializable(typeof(Endpoints.MetricsApi.MetricsBody))]
[JsonSerializable(typeof(Envd.Actors.Freeze.FreezeProtocol.FreezeReport))]
[JsonSerializable(typeof(Envd.Linux.Snapshots.CollapseReport))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(EntryInfo))]
[JsonSerializable(typeof(IReadOnlyList<EntryInfo>))]
[JsonSerializable(typeof(ComposeRequest))]
internal sealed partial class EnvdJsonContext : JsonSerializerContext
{
    /// <summary>
    /// What responses are written with: like Go's encoder, quotes and non-ASCII text stay literal instead of becoming
    /// <c>\u0027</c> or <c>\u00E9</c>, so env values and error texts read as sent.
    /// </summary>
    public static EnvdJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
