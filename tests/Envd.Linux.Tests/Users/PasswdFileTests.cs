using Envd.Linux.Users;

namespace Envd.Linux.Tests.Users;

public sealed class PasswdFileTests
{
    private const string Passwd = """
        # comment line
        root:x:0:0:root:/root:/bin/bash
        user:x:1000:1000:E2B user,,,:/home/user:/bin/bash
        +nisuser::::::
        -excluded:x:1:1::/:/bin/sh
        broken:x:notanumber:1::/:/bin/sh
        short:x:5:5
        windows:x:1001:1001::/home/windows:/bin/sh

        """;

    private const string Group = """
        root:x:0:
        sudo:x:27:user, windows
        docker:x:999:user
        bad:x:zz:user
        user:x:1000:

        """;

    [Fact]
    public void Passwd_entries_are_read_field_by_field_and_malformed_lines_skipped()
    {
        var entries = PasswdFile.ParsePasswd(Passwd.Replace("windows:x:1001:1001::/home/windows:/bin/sh", "windows:x:1001:1001::/home/windows:/bin/sh\r")).ToList();

        Assert.Equal(["root", "user", "windows"], entries.Select(e => e.Name));
        Assert.Equal(new PasswdFile.PasswdEntry("user", 1000, 1000, "/home/user", "/bin/bash"), entries[1]);
        Assert.Equal("/bin/sh", entries[2].Shell);
    }

    [Fact]
    public void Group_entries_carry_their_trimmed_members()
    {
        var groups = PasswdFile.ParseGroup(Group).ToList();

        Assert.Equal(["root", "sudo", "docker", "user"], groups.Select(g => g.Name));
        Assert.Equal(["user", "windows"], groups[1].Members);
        Assert.Empty(groups[0].Members);
    }

    [Fact]
    public void The_directory_finds_a_user_with_primary_and_supplementary_groups()
    {
        var dir = Directory.CreateTempSubdirectory("envd-users-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "passwd"), Passwd);
            File.WriteAllText(Path.Combine(dir, "group"), Group);
            var users = new EtcUserDirectory(Path.Combine(dir, "passwd"), Path.Combine(dir, "group"));

            var user = users.FindUser("user");

            Assert.NotNull(user);
            Assert.Equal((1000u, 1000u, "/home/user"), (user.Uid, user.Gid, user.Home));
            Assert.Equal([1000u, 27u, 999u], user.Groups);
            Assert.Null(users.FindUser("nobody-here"));
            Assert.Null(users.FindUser(""));
            Assert.Equal("windows", users.UserName(1001));
            Assert.Equal("docker", users.GroupName(999));
            Assert.Null(users.GroupName(4242));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_directory_sees_users_added_after_it_was_created()
    {
        var dir = Directory.CreateTempSubdirectory("envd-users-").FullName;
        try
        {
            var passwd = Path.Combine(dir, "passwd");
            var users = new EtcUserDirectory(passwd, Path.Combine(dir, "missing-group"));
            Assert.Null(users.FindUser("late"));

            File.WriteAllText(passwd, "late:x:2000:2000::/home/late:/bin/sh\n");

            Assert.Equal([2000u], users.FindUser("late")!.Groups);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
