using System.Collections.Immutable;
using Envd.Linux.Files;
using Envd.Linux.Paths;
using Envd.Linux.Watching;

namespace Envd.Actors.Watchers;

/// <summary>
/// Which directory each inotify watch descriptor stands for, relative to the watched root (<c>""</c> for the root).
/// </summary>
public sealed record WatchTree(string Root, ImmutableDictionary<int, string> Directories)
{
    public static WatchTree For(string root) => new(root, ImmutableDictionary<int, string>.Empty);

    public WatchTree Add(int wd, string relative) => this with { Directories = Directories.SetItem(wd, relative) };

    public WatchTree Remove(int wd) => this with { Directories = Directories.Remove(wd) };

    /// <summary>The watches of <paramref name="relative"/> and every directory below it.</summary>
    public IReadOnlyList<int> WatchesUnder(string relative) =>
        Directories.Where(d => d.Value == relative || d.Value.StartsWith(relative + "/", StringComparison.Ordinal)).Select(d => d.Key).ToList();

    /// <summary>The absolute path of a name relative to the root (<c>.</c> or <c>""</c> is the root).</summary>
    public string FullPath(string relative) => relative is "" or "." ? Root : PathResolver.Clean(Root + "/" + relative);

    public static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;
}

/// <summary>How raw inotify events become the events clients see.</summary>
public static class WatchRules
{
    /// <summary>
    /// One event per operation in the raw mask, in upstream's order CREATE, RENAME, CHMOD, WRITE, REMOVE. Events a
    /// subdirectory's watch reports about itself are dropped: its parent already reports them under the same name.
    /// </summary>
    public static IReadOnlyList<WatchEvent> Translate(WatchTree tree, InotifyEvent raw)
    {
        if (!tree.Directories.TryGetValue(raw.Wd, out var directory) || (raw.Name.Length == 0 && directory.Length > 0))
        {
            return [];
        }

        var name = raw.Name.Length == 0 ? "." : WatchTree.Join(directory, raw.Name);
        var events = new List<WatchEvent>(1);
        if (raw.Has(InotifyMask.Create | InotifyMask.MovedTo))
        {
            events.Add(new WatchEvent(name, WatchEventType.Create));
        }

        if (raw.Has(InotifyMask.MovedFrom | InotifyMask.MoveSelf))
        {
            events.Add(new WatchEvent(name, WatchEventType.Rename));
        }

        if (raw.Has(InotifyMask.Attrib))
        {
            events.Add(new WatchEvent(name, WatchEventType.Chmod));
        }

        if (raw.Has(InotifyMask.Modify))
        {
            events.Add(new WatchEvent(name, WatchEventType.Write));
        }

        if (raw.Has(InotifyMask.Delete | InotifyMask.DeleteSelf))
        {
            events.Add(new WatchEvent(name, WatchEventType.Remove));
        }

        return events;
    }

    /// <summary>Envd's own staged uploads (<see cref="StagedFile"/>) are not the client's files: watchers never show them.</summary>
    public static bool IsStagedUpload(string name) => name.Contains(StagedFile.Marker, StringComparison.Ordinal);

    /// <summary>
    /// A staged upload renamed over its target: clients see what upstream's in-place write shows for it, the file created
    /// and then written, under the target's name.
    /// </summary>
    public static IReadOnlyList<WatchEvent> UploadCommitted(WatchTree tree, InotifyEvent movedTo) =>
        Translate(tree, movedTo) is [{ Type: WatchEventType.Create } created]
            ? [created, created with { Type = WatchEventType.Write }]
            : [];

    /// <summary>Only these carry the entry's info when the client asked for it; the others describe a path that is gone.</summary>
    public static bool CarriesEntry(WatchEventType type) => type is WatchEventType.Create or WatchEventType.Write or WatchEventType.Chmod;
}
