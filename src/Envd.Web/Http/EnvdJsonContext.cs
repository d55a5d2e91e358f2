using System.Text.Json.Serialization;

namespace Envd.Web.Http;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ApiError.ErrorBody))]
[JsonSerializable(typeof(Envd.Actors.Freeze.FreezeProtocol.FreezeReport))]
[JsonSerializable(typeof(Envd.Linux.Snapshots.CollapseReport))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class EnvdJsonContext : JsonSerializerContext;
