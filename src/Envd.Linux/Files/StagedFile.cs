using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Envd.Linux.Native;
using Microsoft.Win32.SafeHandles;

namespace Envd.Linux.Files;

/// <summary>
/// New content for a file, written under a temporary name in the target's own directory and renamed over the target
/// only when complete: readers see the old content or the new one, never a mix. Disposing it uncommitted removes it.
/// </summary>
public sealed class StagedFile : IDisposable
{
    /// <summary>Part of every staged name, so strays left by a killed daemon can be told apart from user files.</summary>
    public const string Marker = ".envd-upload-";

    /// <summary>Room left for the marker and random suffix within NAME_MAX (255 bytes).</summary>
    private const int MaxNameBytes = 200;

    private readonly StagingJournal _journal;
    private readonly string _entry;

    /// <summary>
    /// Creating or renaming a name holds its directory's lock in the kernel, where waiters spin on a CPU; concurrent
    /// uploads into one directory take one of these first, so they wait asleep instead.
    /// </summary>
    private static readonly Lock[] DirectoryLocks = [.. Enumerable.Range(0, 16).Select(_ => new Lock())];

    private bool _committed;
    private bool _forgotten;

    private StagedFile(string target, string path, SafeFileHandle handle, StagingJournal journal, string entry)
    {
        Target = target;
        Path = path;
        Handle = handle;
        _journal = journal;
        _entry = entry;
    }

    /// <summary>The file the content replaces: the requested path, or where a symlink there leads (the link stays).</summary>
    public string Target { get; }

    /// <summary>The temporary name the content is written under.</summary>
    public string Path { get; }

    public SafeFileHandle Handle { get; }

    /// <param name="journal">Notes the staged name before the file exists, so a daemon killed mid-write leaves no unknown stray.</param>
    /// <exception cref="IOException">The directory is missing or full, or the name is not usable.</exception>
    public static StagedFile Create(string target, StagingJournal journal)
    {
        var real = FollowLinks(target);
        var directory = System.IO.Path.GetDirectoryName(real) ?? "/";
        var path = System.IO.Path.Join(directory, "." + Shorten(System.IO.Path.GetFileName(real)) + Marker + RandomSuffix());
        var entry = journal.Record(path);
        try
        {
            SafeFileHandle handle;
            lock (DirectoryLock(directory))
            {
                handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            }

            return new StagedFile(real, path, handle, journal, entry);
        }
        catch
        {
            journal.Forget(entry);
            throw;
        }
    }

    /// <summary>
    /// Gives the content the target's mode (when it exists) and then the user as owner, as upstream's in-place overwrite
    /// would, replaces its <c>user.e2b.*</c> metadata, and renames it over the target.
    /// </summary>
    /// <returns>The metadata as stored (empty where the filesystem has no xattrs).</returns>
    public IReadOnlyDictionary<string, string> Commit(uint uid, uint gid, IReadOnlyDictionary<string, string> metadata)
    {
        if (TryGetMode(Target, out var mode))
        {
            File.SetUnixFileMode(Handle, mode);

            // ext4 flushes a file renamed over another inside rename(2), under the directory lock that every upload there
            // waits on; started here, that writeback runs outside the lock (should this fail, rename flushes as before).
            Libc.sync_file_range(Handle, 0, 0, Libc.SyncFileRangeWrite);
        }

        Ownership.Chown(Path, uid, gid);
        var stored = metadata.Count == 0 || !ExtendedAttributes.ReplaceMetadata(Path, metadata)
            ? new Dictionary<string, string>()
            : ExtendedAttributes.ReadMetadata(Path);
        Handle.Dispose();
        lock (DirectoryLock(System.IO.Path.GetDirectoryName(Target) ?? "/"))
        {
            if (Libc.rename(Path, Target) != 0)
            {
                throw NativeError.ToException(Marshal.GetLastPInvokeError(), $"rename {Path} {Target}");
            }
        }

        _committed = true;
        ForgetOnce();
        return stored;
    }

    public void Dispose()
    {
        Handle.Dispose();
        if (!_committed)
        {
            File.Delete(Path);
        }

        ForgetOnce();
    }

    private void ForgetOnce()
    {
        if (!_forgotten)
        {
            _journal.Forget(_entry);
            _forgotten = true;
        }
    }

    private static Lock DirectoryLock(string directory) =>
        DirectoryLocks[(int)((uint)StringComparer.Ordinal.GetHashCode(directory) % DirectoryLocks.Length)];

    private static string FollowLinks(string target)
    {
        var info = new FileInfo(target);
        return info.LinkTarget is null ? target : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? target;
    }

    private static bool TryGetMode(string path, out UnixFileMode mode)
    {
        try
        {
            mode = File.GetUnixFileMode(path);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            mode = default;
            return false;
        }
    }

    private static string Shorten(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxNameBytes)
        {
            return name;
        }

        var length = name.Length;
        while (Encoding.UTF8.GetByteCount(name.AsSpan(0, length)) > MaxNameBytes || char.IsHighSurrogate(name[length - 1]))
        {
            length--;
        }

        return name[..length];
    }

    private static string RandomSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
}
