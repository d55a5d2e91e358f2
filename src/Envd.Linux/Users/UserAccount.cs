namespace Envd.Linux.Users;

/// <summary>One /etc/passwd entry, with the supplementary groups from /etc/group.</summary>
public sealed record UserAccount(string Name, uint Uid, uint Gid, string Home, string Shell, IReadOnlyList<uint> Groups);
