namespace Envd.Linux.Users;

/// <summary>
/// Looks users up in the passwd and group files. Both are parsed once and again whenever they change, so users added
/// while the daemon runs are seen at once and a lookup costs two stats instead of two reads and parses.
/// </summary>
public sealed class EtcUserDirectory(string passwdPath = "/etc/passwd", string groupPath = "/etc/group") : IUserDirectory
{
    private readonly ParsedFile<IReadOnlyList<PasswdFile.PasswdEntry>> _passwd = new(passwdPath, text => PasswdFile.ParsePasswd(text).ToList());
    private readonly ParsedFile<IReadOnlyList<PasswdFile.GroupEntry>> _groups = new(groupPath, text => PasswdFile.ParseGroup(text).ToList());

    public UserAccount? FindUser(string name)
    {
        if (name.Length == 0)
        {
            return null;
        }

        var entry = _passwd.Value.FirstOrDefault(e => e.Name == name);
        if (entry is null)
        {
            return null;
        }

        var groups = new List<uint> { entry.Gid };
        foreach (var group in _groups.Value)
        {
            if (group.Members.Contains(name) && !groups.Contains(group.Gid))
            {
                groups.Add(group.Gid);
            }
        }

        return new UserAccount(entry.Name, entry.Uid, entry.Gid, entry.Home, entry.Shell, groups);
    }

    public string? UserName(uint uid) => _passwd.Value.FirstOrDefault(e => e.Uid == uid)?.Name;

    public string? GroupName(uint gid) => _groups.Value.FirstOrDefault(e => e.Gid == gid)?.Name;
}
