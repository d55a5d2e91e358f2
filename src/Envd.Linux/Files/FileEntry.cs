namespace Envd.Linux.Files;

public enum FileEntryType
{
    Unspecified,
    File,
    Directory,
}

/// <summary>
/// Upstream's EntryInfo. For a symlink, <see cref="Type"/> and <see cref="Mode"/> describe the target, while size,
/// permissions and mtime describe the link itself.
/// </summary>
public sealed record FileEntry(
    string Name,
    FileEntryType Type,
    string Path,
    long Size,
    uint Mode,
    string Permissions,
    string Owner,
    string Group,
    DateTimeOffset? ModifiedTime,
    string? SymlinkTarget,
    IReadOnlyDictionary<string, string> Metadata);
