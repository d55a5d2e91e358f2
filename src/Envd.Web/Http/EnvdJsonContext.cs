using System.Text.Json.Serialization;

namespace Envd.Web.Http;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ApiError.ErrorBody))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class EnvdJsonContext : JsonSerializerContext;
