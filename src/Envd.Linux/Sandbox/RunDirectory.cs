namespace Envd.Linux.Sandbox;

/// <summary>
/// <c>/run/e2b</c>: small files that tell software in the sandbox where it runs (<c>.E2B_SANDBOX</c>,
/// <c>.E2B_SANDBOX_ID</c>, <c>.E2B_TEMPLATE_ID</c>).
/// </summary>
public sealed class RunDirectory(string path)
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode ReadWrite = ReadOnly | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    public string Path => path;

    /// <summary>Creates the directory (0755) and writes <c>.E2B_SANDBOX</c> (0444): <c>true</c> inside the VM.</summary>
    public void Prepare(bool inFirecracker)
    {
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | ReadOnly
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Write(".E2B_SANDBOX", inFirecracker ? "true" : "false", ReadOnly);
    }

    /// <summary>Writes the ids the metadata service gave (0666, no trailing newline).</summary>
    public void WriteSandboxIds(string sandboxId, string templateId)
    {
        Directory.CreateDirectory(path);
        Write(".E2B_SANDBOX_ID", sandboxId, ReadWrite);
        Write(".E2B_TEMPLATE_ID", templateId, ReadWrite);
    }

    /// <summary>Like Go's os.WriteFile: the mode applies (through the umask) when the file is created; root rewrites read-only files.</summary>
    private void Write(string name, string content, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode };
        using var stream = new FileStream(System.IO.Path.Combine(path, name), options);
        stream.Write(System.Text.Encoding.UTF8.GetBytes(content));
    }
}
