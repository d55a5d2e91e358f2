using System.Text.Json.Serialization;
using Envd.Web.Endpoints;

namespace Envd.Web.Http;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ApiError.ErrorBody))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(EntryInfo))]
[JsonSerializable(typeof(IReadOnlyList<EntryInfo>))]
[JsonSerializable(typeof(ComposeRequest))]
internal sealed partial class EnvdJsonContext : JsonSerializerContext;
