namespace Envd.Linux.Users;

/// <summary>Looks users and groups up the way upstream does: straight from the passwd and group files, no NSS.</summary>
public interface IUserDirectory
{
    UserAccount? FindUser(string name);

    string? UserName(uint uid);

    string? GroupName(uint gid);
}
