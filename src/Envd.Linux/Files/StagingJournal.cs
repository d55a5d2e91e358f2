using System.Security.Cryptography;

namespace Envd.Linux.Files;

/// <summary>
/// Where a daemon notes each staged file before creating it, so that the strays of a daemon killed mid-upload are
/// found and removed when a daemon starts again. Every daemon journals into a directory of its own under the journal
/// root and holds an exclusive lock on it while it lives: a directory whose lock can be taken belongs to a daemon that
/// is gone. An entry is a symlink named after the staged file and pointing at it, so noting and forgetting cost one
/// syscall each on the upload path.
/// </summary>
public sealed class StagingJournal : IDisposable
{
    private const string LockName = "lock";

    /// <summary>A journal directory with no lock file yet is being set up by a starting daemon, unless it is older than this.</summary>
    private static readonly TimeSpan SetupGrace = TimeSpan.FromMinutes(1);

    private readonly FileStream _lock;

    private StagingJournal(string directory, FileStream lockFile)
    {
        Directory = directory;
        _lock = lockFile;
    }

    /// <summary>This daemon's own journal directory.</summary>
    public string Directory { get; }

    /// <summary>
    /// Removes what dead daemons left under <paramref name="root"/> (their staged files and journals), then opens a
    /// journal of this daemon's own there.
    /// </summary>
    /// <param name="removed">The staged files that were removed.</param>
    /// <exception cref="IOException">The root cannot be created or written.</exception>
    public static StagingJournal Open(string root, out IReadOnlyList<string> removed)
    {
        System.IO.Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        removed = Sweep(root);
        var directory = Path.Join(root, $"{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        System.IO.Directory.CreateDirectory(directory);
        var lockFile = new FileStream(Path.Join(directory, LockName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        return new StagingJournal(directory, lockFile);
    }

    /// <summary>Notes <paramref name="stagedPath"/> before it is created.</summary>
    /// <returns>The entry, to <see cref="Forget"/> once the staged file is renamed or removed.</returns>
    public string Record(string stagedPath)
    {
        var entry = Path.Join(Directory, Path.GetFileName(stagedPath));
        File.CreateSymbolicLink(entry, stagedPath);
        return entry;
    }

    public void Forget(string entry) => File.Delete(entry);

    /// <summary>Releases the lock; entries left (none after a clean shutdown) are swept by the next daemon.</summary>
    public void Dispose()
    {
        _lock.Dispose();
        if (System.IO.Directory.Exists(Directory) && System.IO.Directory.EnumerateFileSystemEntries(Directory).All(e => Path.GetFileName(e) == LockName))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static List<string> Sweep(string root)
    {
        var removed = new List<string>();
        foreach (var journal in System.IO.Directory.EnumerateDirectories(root))
        {
            FileStream? held;
            try
            {
                held = new FileStream(Path.Join(journal, LockName), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (FileNotFoundException) when (DateTime.UtcNow - System.IO.Directory.GetCreationTimeUtc(journal) > SetupGrace)
            {
                held = null;
            }
            catch (IOException)
            {
                // Locked by a live daemon, or one setting up its journal right now.
                continue;
            }

            using (held)
            {
                foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(journal))
                {
                    if (new FileInfo(entry).LinkTarget is { } staged && IsStagedName(staged) && TryDelete(staged))
                    {
                        removed.Add(staged);
                    }
                }
            }

            try
            {
                System.IO.Directory.Delete(journal, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A journal that cannot be removed is tried again at the next start; it must not stop this one.
            }
        }

        return removed;
    }

    /// <summary>Only a file named the way <see cref="StagedFile"/> names them is ever removed, whatever an entry says.</summary>
    private static bool IsStagedName(string path) =>
        Path.IsPathFullyQualified(path) && Path.GetFileName(path) is { } name && name.StartsWith('.') && name.Contains(StagedFile.Marker, StringComparison.Ordinal);

    private static bool TryDelete(string staged)
    {
        try
        {
            // lstat: a staged name that is now a directory or a symlink was not left by a daemon; leave it alone.
            if (File.GetAttributes(staged).HasFlag(FileAttributes.Directory) || new FileInfo(staged).LinkTarget is not null)
            {
                return false;
            }

            File.Delete(staged);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Renamed over its target before the daemon died, never created, or not removable: nothing to count.
            return false;
        }
    }
}
