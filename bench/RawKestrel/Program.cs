using System.Net;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

// What plain ASP.NET does with Envd's file routes: the same URLs and multipart shape, streamed straight to and from disk.
if (args.Length != 1 || !int.TryParse(args[0], out var port))
{
    await Console.Error.WriteLineAsync("usage: raw-kestrel PORT");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = null;
    kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
});
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, PeerJson.Default));

var app = builder.Build();
app.MapGet("/health", () => Results.NoContent());
app.MapGet("/files", (string path) => File.Exists(path)
    ? Results.File(Path.GetFullPath(path), "application/octet-stream")
    : Results.NotFound());
app.MapPost("/files", UploadAsync);
await app.RunAsync();
return 0;

static async Task<IResult> UploadAsync(HttpRequest request, string? path, CancellationToken cancel)
{
    if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
        || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
    {
        return Results.BadRequest("expected multipart/form-data with a boundary");
    }

    var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
    var written = new List<Entry>();
    while (await reader.ReadNextSectionAsync(cancel) is { } section)
    {
        if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
            || disposition.Name.Value != "file")
        {
            continue;
        }

        var name = path ?? HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
        if (string.IsNullOrEmpty(name))
        {
            return Results.BadRequest("no path and no filename");
        }

        var target = Path.GetFullPath(name);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // bufferSize 0: the 64 KiB copy buffer already batches writes, a FileStream buffer would only copy twice.
        await using (var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0, useAsync: false))
        {
            await section.Body.CopyToAsync(file, 64 * 1024, cancel);
        }

        written.Add(new Entry(target, Path.GetFileName(target), "file"));
    }

    return Results.Ok(written);
}

internal sealed record Entry(string Path, string Name, string Type);

[JsonSerializable(typeof(List<Entry>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class PeerJson : JsonSerializerContext;
