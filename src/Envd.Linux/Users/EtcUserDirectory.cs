namespace Envd.Linux.Users;

/// <summary>
/// Reads the passwd and group files on every lookup so that users added while the daemon runs are seen at once;
/// the files are small and the page cache keeps them hot.
/// </summary>
public sealed class EtcUserDirectory(string passwdPath = "/etc/passwd", string groupPath = "/etc/group") : IUserDirectory
{
    public UserAccount? FindUser(string name)
    {
        if (name.Length == 0)
        {
            return null;
        }

        var entry = PasswdFile.ParsePasswd(ReadOrEmpty(passwdPath)).FirstOrDefault(e => e.Name == name);
        if (entry is null)
        {
            return null;
        }

        var groups = new List<uint> { entry.Gid };
        foreach (var group in PasswdFile.ParseGroup(ReadOrEmpty(groupPath)))
        {
            if (group.Members.Contains(name) && !groups.Contains(group.Gid))
            {
                groups.Add(group.Gid);
            }
        }

        return new UserAccount(entry.Name, entry.Uid, entry.Gid, entry.Home, entry.Shell, groups);
    }

    public string? UserName(uint uid) =>
        PasswdFile.ParsePasswd(ReadOrEmpty(passwdPath)).FirstOrDefault(e => e.Uid == uid)?.Name;

    public string? GroupName(uint gid) =>
        PasswdFile.ParseGroup(ReadOrEmpty(groupPath)).FirstOrDefault(e => e.Gid == gid)?.Name;

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
