using Envd.Linux.Native;
using Envd.Linux.Paths;
using Envd.Linux.Users;

namespace Envd.Linux.Files;

/// <summary>Builds <see cref="FileEntry"/> values from lstat/stat, naming owners through the user directory.</summary>
public sealed class FileEntries(IUserDirectory users)
{
    /// <summary>The entry for <paramref name="path"/>, reported under that path as given; null when it does not exist.</summary>
    /// <exception cref="NativeErrorException">lstat failed for another reason.</exception>
    public FileEntry? Read(string path)
    {
        if (FileStatus.TryLstat(path) is not { } link)
        {
            return null;
        }

        var type = TypeOf(link);
        var mode = link.Mode & 0x1FF;
        string? target = null;
        if (link.IsSymlink)
        {
            target = RealPath.TryResolve(path) ?? path;
            var resolved = FileStatus.TryStat(path);
            type = resolved is { } r ? TypeOf(r) : FileEntryType.Unspecified;
            mode = resolved is { } m ? m.Mode & 0x1FF : 0;
        }

        DateTimeOffset? modified = link.MtimeSeconds == 0 && link.MtimeNanoseconds == 0
            ? null
            : DateTimeOffset.FromUnixTimeSeconds(link.MtimeSeconds).AddTicks(link.MtimeNanoseconds / 100);
        return new FileEntry(
            System.IO.Path.GetFileName(path.TrimEnd('/')) is { Length: > 0 } name ? name : "/",
            type,
            path,
            link.Size,
            mode,
            FileModeText.Format(link.Mode),
            users.UserName(link.Uid) ?? link.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            users.GroupName(link.Gid) ?? link.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            modified,
            target,
            ExtendedAttributes.ReadMetadata(path));
    }

    private static FileEntryType TypeOf(FileStatus status) =>
        status.IsRegular ? FileEntryType.File : status.IsDirectory ? FileEntryType.Directory : FileEntryType.Unspecified;
}
