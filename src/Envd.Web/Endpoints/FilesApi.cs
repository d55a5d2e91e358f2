using System.Globalization;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Envd.Actors.Files;
using Envd.Actors.Init;
using Envd.Linux.Clock;
using Envd.Web.Http;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using static Envd.Actors.Files.FileTransferProtocol;

namespace Envd.Web.Endpoints;

/// <summary>
/// <c>GET /files</c> (download), <c>POST /files</c> (upload) and <c>POST /files/compose</c>. Each request is checked here
/// (signature, user, headers) and then handed to a transfer actor of its own, asked once.
/// </summary>
public static class FilesApi
{
    private const string OctetStream = "application/octet-stream";
    private const int MaxBoundaryLength = 128;
    private const int MultipartReadSize = 64 * 1024;
    private const long MaxComposeBodyBytes = 1024 * 1024;

    /// <summary>Only a safety net: a stalled upload is cut much earlier by Kestrel's minimum request body data rate.</summary>
    private static readonly TimeSpan TransferTimeout = TimeSpan.FromHours(24);

    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(60);

    public static IEndpointRouteBuilder MapFiles(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/files", HandleDownload);
        routes.MapPost("/files", HandleUpload);
        routes.MapPost("/files/compose", HandleCompose);
        return routes;
    }

    private static async Task<IResult> HandleDownload(
        HttpContext context, IRequiredActor<FileTransfersActor> transfers, InitSnapshot init, RequestUser users, ISystemClock clock)
    {
        var (query, invalid) = FileQuery.Read(context.Request);
        if (query is null)
        {
            return invalid!;
        }

        if (Authorize(context, init, clock, FileSignature.Read, query) is { } refused)
        {
            return refused;
        }

        var lookup = users.ForRest(query.Username);
        if (lookup.User is null)
        {
            return ApiError.Result(lookup.Status, lookup.Error!);
        }

        DownloadResult result;
        try
        {
            result = await transfers.ActorRef.Ask<DownloadResult>(
                new OpenDownload(OperationIds.Of(context), lookup.User, init.Current.DefaultWorkdir, query.Path),
                OpenTimeout,
                context.RequestAborted);
        }
        catch (AskTimeoutException)
        {
            return ApiError.Result(StatusCodes.Status503ServiceUnavailable, "opening the file did not complete in time");
        }
        catch (OperationCanceledException)
        {
            return Results.Empty;
        }

        if (result.File is not { } file)
        {
            return Failure(result.Failure!);
        }

        var served = false;
        try
        {
            var coding = ChooseCoding(context.Request);
            if (coding is null)
            {
                return ApiError.Result(StatusCodes.Status406NotAcceptable,
                    "error parsing Accept-Encoding: no acceptable encoding found, supported: [gzip]");
            }

            context.Response.Headers.Vary = HeaderNames.AcceptEncoding;
            context.Response.Headers.ContentDisposition = ContentDisposition.FormatInline(file.Name);
            served = true;
            return coding == ContentCoding.Gzip
                ? new GzipFileResult(file.Content)
                : Results.File(file.Content, OctetStream, lastModified: file.LastModified, entityTag: EntityTag(file), enableRangeProcessing: true);
        }
        finally
        {
            if (!served)
            {
                await file.Content.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The negotiated coding (null: 406). Ranges and validators only make sense on the file's own bytes, so they force
    /// identity, unless the client refused it.
    /// </summary>
    private static ContentCoding? ChooseCoding(HttpRequest request)
    {
        var choice = AcceptEncoding.Negotiate(request.Headers.AcceptEncoding);
        var headers = request.Headers;
        var conditional = headers.Range.Count > 0 || headers.IfModifiedSince.Count > 0 || headers.IfNoneMatch.Count > 0 || headers.IfRange.Count > 0;
        if (choice.Coding is null || !conditional)
        {
            return choice.Coding;
        }

        return choice.IdentityRefused ? null : ContentCoding.Identity;
    }

    /// <summary>Strong, and changes with any rewrite: an upload replaces the file, so its mtime moves.</summary>
    private static EntityTagHeaderValue EntityTag(DownloadableFile file) =>
        new($"\"{file.LastModified.UtcTicks:x}-{file.Length:x}\"");

    private static async Task<IResult> HandleUpload(
        HttpContext context, IRequiredActor<FileTransfersActor> transfers, InitSnapshot init, RequestUser users, ISystemClock clock)
    {
        var (query, invalid) = FileQuery.Read(context.Request);
        if (query is null)
        {
            return invalid!;
        }

        if (Authorize(context, init, clock, FileSignature.Write, query) is { } refused)
        {
            return refused;
        }

        var lookup = users.ForRest(query.Username);
        if (lookup.User is null)
        {
            return ApiError.Result(lookup.Status, lookup.Error!);
        }

        var request = context.Request;
        var (content, encodingError) = DecodedBody(request);
        if (content is null)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, encodingError!);
        }

        await using var decoded = content == request.Body ? null : content;
        var (metadata, metadataError) = UploadRules.ParseMetadata(
            request.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.Count > 0 ? h.Value[0] ?? string.Empty : string.Empty)));
        if (metadata is null)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, metadataError!);
        }

        var (body, bodyError) = UploadBody(request, content, query.Path);
        if (body is null)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, bodyError!);
        }

        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        UploadResult result;
        try
        {
            // Not cancelled by RequestAborted: a client that leaves ends the body's reads, and the transfer answers only once
            // nothing reads the body any more.
            result = await transfers.ActorRef.Ask<UploadResult>(
                new UploadFiles(OperationIds.Of(context), lookup.User, init.Current.DefaultWorkdir, query.Path, body, metadata,
                    request.ContentLength, aborted.Token),
                TransferTimeout);
        }
        catch (AskTimeoutException)
        {
            // Body reads are not cancellable (see ContentReader): aborting the request ends any still in flight.
            await aborted.CancelAsync();
            context.Abort();
            return ApiError.Result(StatusCodes.Status500InternalServerError, "upload did not complete in time");
        }

        // The transfer has answered, so nothing reads the body any more: its read buffers can go back to their pool.
        (body as MultipartUploadBody)?.Complete();
        if (result.Failure is { } failure)
        {
            if (ClientGone(context, failure))
            {
                // Nobody is left to answer, and Kestrel must not try to drain a body whose connection was reset mid-read:
                // its reader is left mid-read then, and the drain fails with an error.
                context.Abort();
                return Results.Empty;
            }

            return Failure(failure);
        }

        IReadOnlyList<EntryInfo> entries = result.Files.Select(ToEntry).ToList();
        return Results.Json(entries, EnvdJsonContext.Default.IReadOnlyListEntryInfo);
    }

    /// <summary>The body as the file bytes: as sent, or gunzipped whole for <c>Content-Encoding: gzip</c>.</summary>
    private static (Stream? Content, string? Error) DecodedBody(HttpRequest request)
    {
        var header = request.Headers.ContentEncoding.ToString();
        var coding = header.Split(';')[0].Trim();
        if (coding.Length == 0 || coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return (request.Body, null);
        }

        return coding.Equals("gzip", StringComparison.OrdinalIgnoreCase)
            ? (new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true), null)
            : (null, $"error decompressing request body: unsupported Content-Encoding: {header}");
    }

    /// <summary>A raw body (one file, at <c>path</c>) or the file parts of a multipart body, by Content-Type.</summary>
    private static (IUploadBody? Body, string? Error) UploadBody(HttpRequest request, Stream content, string? path)
    {
        var contentType = request.ContentType ?? string.Empty;
        if (MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            if (mediaType.MediaType.Equals(OctetStream, StringComparison.OrdinalIgnoreCase))
            {
                return path is null ? (null, "path query parameter is required for raw body upload") : (new RawUploadBody(content), null);
            }

            if (mediaType.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
            {
                var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
                if (string.IsNullOrEmpty(boundary) || boundary.Length > MaxBoundaryLength)
                {
                    return (null, "error parsing multipart body: missing or invalid boundary");
                }

                // Read through the request stream, not Kestrel's BodyReader: parsing straight off that pipe left its input
                // mid-read when a client cut the body, and Kestrel dropped those connections with a warning.
                var pipe = PipeReader.Create(content, new StreamPipeReaderOptions(bufferSize: MultipartReadSize, minimumReadSize: MultipartReadSize / 4, leaveOpen: true));
                return (new MultipartUploadBody(new MultipartBodyReader(pipe, boundary)), null);
            }
        }

        return (null, $"unsupported content type: {contentType}, expected multipart/form-data or application/octet-stream");
    }

    private static async Task<IResult> HandleCompose(
        HttpContext context, IRequiredActor<FileTransfersActor> transfers, InitSnapshot init, RequestUser users)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxComposeBodyBytes;
        }

        ComposeRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(context.Request.Body, EnvdJsonContext.Default.ComposeRequest, context.RequestAborted);
        }
        catch (JsonException e)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, $"invalid request body: {e.Message}");
        }
        catch (BadHttpRequestException e)
        {
            return ApiError.Result(e.StatusCode, $"invalid request body: {e.Message}");
        }

        if (body?.SourcePaths is not { Count: > 0 } sources)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "source_paths must not be empty");
        }

        if (string.IsNullOrEmpty(body.Destination))
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "destination must not be empty");
        }

        var lookup = users.ForRest(body.Username);
        if (lookup.User is null)
        {
            return ApiError.Result(lookup.Status, lookup.Error!);
        }

        ComposeResult result;
        try
        {
            result = await transfers.ActorRef.Ask<ComposeResult>(
                new ComposeFiles(OperationIds.Of(context), lookup.User, init.Current.DefaultWorkdir, sources, body.Destination),
                TransferTimeout,
                context.RequestAborted);
        }
        catch (AskTimeoutException)
        {
            return ApiError.Result(StatusCodes.Status500InternalServerError, "compose did not complete in time");
        }
        catch (OperationCanceledException)
        {
            return Results.Empty;
        }

        return result.File is { } file
            ? Results.Json(ToEntry(file), EnvdJsonContext.Default.EntryInfo)
            : Failure(result.Failure!);
    }

    private static IResult? Authorize(HttpContext context, InitSnapshot init, ISystemClock clock, string operation, FileQuery query)
    {
        var headers = context.Request.Headers;
        var headerToken = headers.TryGetValue(AccessTokenMiddleware.Header, out var presented) ? presented.ToString() : null;
        var refusal = FileSignature.Check(
            init.Current.AccessToken, headerToken, operation, query.Path, query.Username, query.Signature, query.Expiration, clock.UtcNow);
        return refusal is null ? null : ApiError.Result(StatusCodes.Status401Unauthorized, refusal);
    }

    private static EntryInfo ToEntry(WrittenFile file) =>
        new(file.Path, file.Name, "file", file.Metadata.Count > 0 ? file.Metadata : null);

    private static bool ClientGone(HttpContext context, TransferFailure failure)
    {
        if (failure.Kind is FailureKind.Cancelled || context.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        for (var cause = failure.Cause; cause is not null; cause = cause.InnerException)
        {
            if (cause is ConnectionResetException or ConnectionAbortedException)
            {
                return true;
            }
        }

        return false;
    }

    private static IResult Failure(TransferFailure failure) => failure.Kind switch
    {
        FailureKind.Invalid => ApiError.Result(StatusCodes.Status400BadRequest, failure.Message),
        FailureKind.NotFound => ApiError.Result(StatusCodes.Status404NotFound, failure.Message),
        FailureKind.NoSpace => ApiError.Result(StatusCodes.Status507InsufficientStorage, failure.Message),
        FailureKind.UnreadableBody => failure.Cause switch
        {
            BadHttpRequestException bad => ApiError.Result(bad.StatusCode, failure.Message),
            InvalidDataException bad => ApiError.Result(StatusCodes.Status400BadRequest, $"error decompressing request body: {bad.Message}"),
            _ => ApiError.Result(StatusCodes.Status400BadRequest, failure.Message),
        },
        FailureKind.Cancelled => ApiError.Result(StatusCodes.Status400BadRequest, failure.Message),
        _ => ApiError.Result(StatusCodes.Status500InternalServerError, failure.Message),
    };

    /// <summary>The query parameters of <c>/files</c>, raw: present-but-empty differs from absent.</summary>
    private sealed record FileQuery(string? Path, string? Username, string? Signature, long? Expiration)
    {
        public static (FileQuery? Query, IResult? Error) Read(HttpRequest request)
        {
            var query = request.Query;
            long? expiration = null;
            if (query.TryGetValue("signature_expiration", out var raw))
            {
                if (!long.TryParse(raw[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
                {
                    return (null, ApiError.Result(StatusCodes.Status400BadRequest, $"Invalid format for parameter signature_expiration: {raw[0]}"));
                }

                expiration = seconds;
            }

            return (new FileQuery(First(query, "path"), First(query, "username"), First(query, "signature"), expiration), null);
        }

        private static string? First(IQueryCollection query, string name) =>
            query.TryGetValue(name, out var values) ? values[0] ?? string.Empty : null;
    }

    /// <summary>Streams the file gzipped as it is read: no length up front, so no Content-Length and no ranges.</summary>
    private sealed class GzipFileResult(FileStream content) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            await using (content)
            {
                var response = httpContext.Response;
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = OctetStream;
                response.Headers.ContentEncoding = "gzip";
                await using var gzip = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
                await content.CopyToAsync(gzip, FileChunk.Size, httpContext.RequestAborted);
            }
        }
    }
}
