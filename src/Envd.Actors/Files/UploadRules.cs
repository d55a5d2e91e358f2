using static Envd.Actors.Files.FileTransferProtocol;

namespace Envd.Actors.Files;

/// <summary>The rules of <c>POST /files</c> that do not touch the disk: metadata headers and duplicate targets.</summary>
public static class UploadRules
{
    public const string MetadataHeaderPrefix = "X-Metadata-";

    /// <summary>255 (XATTR_NAME_MAX) minus the length of <c>user.e2b.</c>.</summary>
    public const int MaxMetadataKeyBytes = 246;

    /// <summary>What the kernel accepts for all of a file's xattrs together on common filesystems.</summary>
    public const int MaxMetadataBytes = 4096;

    /// <summary>
    /// The metadata an upload asks for: every <c>X-Metadata-&lt;key&gt;</c> header, key lower-cased, first value only;
    /// keys and values printable ASCII, keys at most 246 bytes, all of it at most 4096 bytes as xattrs.
    /// </summary>
    /// <param name="headers">Request headers as (name, first value) pairs.</param>
    public static (IReadOnlyDictionary<string, string>? Metadata, string? Error) ParseMetadata(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var total = 0;
        foreach (var (name, value) in headers)
        {
            if (!name.StartsWith(MetadataHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var key = name[MetadataHeaderPrefix.Length..].ToLowerInvariant();
            if (metadata.ContainsKey(key))
            {
                continue;
            }

            var error = key.Length == 0 ? "metadata key must not be empty"
                : key.Length > MaxMetadataKeyBytes ? $"metadata key '{key}' is longer than {MaxMetadataKeyBytes} bytes"
                : !IsPrintableAscii(key) ? $"metadata key '{key}' must be printable ASCII"
                : !IsPrintableAscii(value) ? $"metadata value of '{key}' must be printable ASCII"
                : null;
            if (error is not null)
            {
                return (null, $"invalid metadata: {error}");
            }

            total += Linux.Files.ExtendedAttributes.Prefix.Length + key.Length + value.Length;
            if (total > MaxMetadataBytes)
            {
                return (null, $"invalid metadata: metadata is larger than {MaxMetadataBytes} bytes");
            }

            metadata[key] = value;
        }

        return (metadata, null);
    }

    /// <summary>Upstream's refusal of a second part for a path already written in the same request.</summary>
    public static string DuplicateTarget(string path, IReadOnlyList<WrittenFile> written)
    {
        var message = $"you cannot upload multiple files to the same path '{path}' in one upload request, only the first specified file was uploaded";
        var others = written.Select(f => f.Path).Where(p => p != path).ToList();
        return others.Count > 1 ? $"{message}, also the following files were uploaded: {string.Join(", ", others)}" : message;
    }

    private static bool IsPrintableAscii(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
