namespace EnvdBench;

/// <summary>
/// The run's temp tree: <c>data/</c> is the one directory all three servers read and write (nginx's root), with the
/// download set in <c>data/dl</c>, upload sources in <c>data/src</c> and each phase's uploads in <c>data/up/NAME-N</c>.
/// </summary>
internal sealed class Workspace : IDisposable
{
    private Workspace(string root, string logs)
    {
        Root = root;
        Logs = logs;
        Directory.CreateDirectory(Data);
        Directory.CreateDirectory(Downloads);
        Directory.CreateDirectory(Sources);
        Directory.CreateDirectory(Run);
        Directory.CreateDirectory(Logs);
    }

    private int _uploadDirs;

    public string Root { get; }

    public string Data => Path.Combine(Root, "data");

    public string Downloads => Path.Combine(Data, "dl");

    public string Sources => Path.Combine(Data, "src");

    public string Run => Path.Combine(Root, "run");

    public string Logs { get; }

    public static Workspace Create(string? parent, string logs)
    {
        if (Directory.Exists(logs))
        {
            Directory.Delete(logs, recursive: true);
        }

        var root = parent is null
            ? Directory.CreateTempSubdirectory("envd-bench-").FullName
            : Directory.CreateDirectory(Path.Combine(parent, $"envd-bench-{Environment.ProcessId}")).FullName;
        return new Workspace(root, logs);
    }

    /// <summary>
    /// A new, empty upload directory for one server, so phases never see each other's files. The previous ones are
    /// removed as far as they can be: a server may still be finishing an upload that wrk abandoned at its deadline.
    /// </summary>
    public string FreshUploads(string server)
    {
        var parent = Directory.CreateDirectory(Path.Combine(Data, "up")).FullName;
        foreach (var old in Directory.GetDirectories(parent, server + "-*"))
        {
            try
            {
                Directory.Delete(old, recursive: true);
            }
            catch (IOException)
            {
                // Still being written to; the workspace goes as a whole at the end of the run.
            }
        }

        return Directory.CreateDirectory(Path.Combine(parent, $"{server}-{++_uploadDirs}")).FullName;
    }

    /// <summary>Writes a file of pseudo-random bytes (incompressible enough that no layer can shortcut it).</summary>
    public static void WriteRandomFile(string path, long size, int seed)
    {
        var random = new Random(seed);
        var block = new byte[1024 * 1024];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (long written = 0; written < size; written += block.Length)
        {
            random.NextBytes(block);
            file.Write(block, 0, (int)Math.Min(block.Length, size - written));
        }
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
