using System.Text.Json.Serialization;

namespace Envd.Web.Endpoints;

/// <summary>What <c>POST /files</c> and <c>/files/compose</c> answer for each file written.</summary>
public sealed record EntryInfo(
    string Path,
    string Name,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Metadata);

/// <summary>The body of <c>POST /files/compose</c>.</summary>
public sealed record ComposeRequest(
    [property: JsonPropertyName("source_paths")] IReadOnlyList<string>? SourcePaths,
    [property: JsonPropertyName("destination")] string? Destination,
    [property: JsonPropertyName("username")] string? Username);
