namespace Envd.Actors.Processes;

/// <summary>
/// The <c>cgroup.procs</c> files commands and terminals join, as upstream places them (<c>user</c> and <c>ptys</c>);
/// null where processes stay in Envd's own cgroup, as with <c>-no-cgroups</c>.
/// </summary>
public sealed record ProcessCgroups(string? Commands, string? Terminals)
{
    public static readonly ProcessCgroups None = new(null, null);
}
