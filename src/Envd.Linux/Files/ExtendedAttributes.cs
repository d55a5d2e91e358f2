using System.Runtime.InteropServices;
using System.Text;
using Envd.Linux.Native;

namespace Envd.Linux.Files;

/// <summary>
/// User metadata stored as <c>user.e2b.&lt;key&gt;</c> extended attributes, following symlinks like upstream.
/// Filesystems without xattr support read as "no metadata".
/// </summary>
public static unsafe class ExtendedAttributes
{
    public const string Prefix = "user.e2b.";

    /// <summary>The metadata map, prefix stripped; entries that are not UTF-8 are skipped, failures read as empty.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in List(path))
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name.Length == Prefix.Length)
            {
                continue;
            }

            var value = Get(path, name);
            if (value is not null)
            {
                result[name[Prefix.Length..]] = value;
            }
        }

        return result;
    }

    /// <summary>Makes the file's metadata exactly <paramref name="metadata"/>: other <c>user.e2b.*</c> keys are removed.</summary>
    /// <returns>False when the filesystem does not support xattrs.</returns>
    public static bool ReplaceMetadata(string path, IReadOnlyDictionary<string, string> metadata)
    {
        foreach (var name in List(path))
        {
            if (name.StartsWith(Prefix, StringComparison.Ordinal) && !metadata.ContainsKey(name[Prefix.Length..]))
            {
                if (Libc.removexattr(path, name) != 0 && Marshal.GetLastPInvokeError() is not (Libc.ENODATA or Libc.ENOTSUP))
                {
                    throw NativeError.ToException(Marshal.GetLastPInvokeError(), $"removexattr {path} {name}");
                }
            }
        }

        foreach (var (key, value) in metadata)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            fixed (byte* data = bytes)
            {
                if (Libc.setxattr(path, Prefix + key, data, bytes.Length, 0) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.ENOTSUP)
                    {
                        return false;
                    }

                    throw NativeError.ToException(errno, $"setxattr {path} {Prefix + key}");
                }
            }
        }

        return true;
    }

    private static List<string> List(string path)
    {
        var size = Libc.listxattr(path, null, 0);
        if (size <= 0)
        {
            return [];
        }

        var buffer = new byte[size];
        fixed (byte* data = buffer)
        {
            size = Libc.listxattr(path, data, buffer.Length);
        }

        if (size <= 0)
        {
            return [];
        }

        return Encoding.UTF8.GetString(buffer, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static string? Get(string path, string name)
    {
        var size = Libc.getxattr(path, name, null, 0);
        if (size < 0)
        {
            return null;
        }

        var buffer = new byte[size];
        fixed (byte* data = buffer)
        {
            size = Libc.getxattr(path, name, data, buffer.Length);
        }

        if (size < 0)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, (int)size);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
