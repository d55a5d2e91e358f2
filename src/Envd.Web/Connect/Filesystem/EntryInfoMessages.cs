using Envd.Contracts.Filesystem;
using Envd.Linux.Files;
using Google.Protobuf.WellKnownTypes;

namespace Envd.Web.Connect.Filesystem;

/// <summary>Turns the OS view of a file into the wire's EntryInfo.</summary>
public static class EntryInfoMessages
{
    public static EntryInfo ToMessage(this FileEntry entry)
    {
        var info = new EntryInfo
        {
            Name = entry.Name,
            Type = entry.Type switch
            {
                FileEntryType.File => FileType.File,
                FileEntryType.Directory => FileType.Directory,
                _ => FileType.Unspecified,
            },
            Path = entry.Path,
            Size = entry.Size,
            Mode = entry.Mode,
            Permissions = entry.Permissions,
            Owner = entry.Owner,
            Group = entry.Group,
            ModifiedTime = entry.ModifiedTime is { } time ? Timestamp.FromDateTimeOffset(time) : null,
        };
        if (entry.SymlinkTarget is not null)
        {
            info.SymlinkTarget = entry.SymlinkTarget;
        }

        foreach (var (key, value) in entry.Metadata)
        {
            info.Metadata[key] = value;
        }

        return info;
    }
}
