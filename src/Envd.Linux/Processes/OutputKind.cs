namespace Envd.Linux.Processes;

/// <summary>Where a chunk of a child's output came from.</summary>
public enum OutputKind
{
    Stdout,
    Stderr,
    Pty,
}
