using System.Runtime.InteropServices;
using Envd.Linux.Native;
using Envd.Linux.Users;

namespace Envd.Linux.Processes;

/// <summary>
/// The calling thread's real uid, real gid and supplementary groups, lent to a user for the length of one posix_spawn,
/// whose child takes them as its own (POSIX_SPAWN_RESETIDS sets its effective ids to these real ones before exec). This
/// drops the child to the user without a setpriv exec and without forking managed code. Linux keeps credentials per
/// thread and only glibc's wrappers broadcast a change to every thread, so raw system calls touch this thread alone; its
/// effective ids stay root throughout, so it keeps every privilege, its file access is unchanged, the process's dumpable
/// flag is not reset, and switching back cannot be refused.
/// </summary>
internal readonly unsafe struct ThreadIdentity
{
    private const long Unchanged = -1;

    private readonly uint _uid;
    private readonly uint _gid;
    private readonly uint[] _groups;

    private ThreadIdentity(uint uid, uint gid, uint[] groups)
    {
        _uid = uid;
        _gid = gid;
        _groups = groups;
    }

    /// <summary>Gives the thread the user's real ids and groups, and returns what to restore.</summary>
    /// <exception cref="NativeErrorException">The thread could not take them (it is back as it was).</exception>
    public static ThreadIdentity LendTo(UserAccount user)
    {
        var own = Current();
        try
        {
            SetGroups(user.Groups.DefaultIfEmpty(user.Gid).ToArray());
            Check(Libc.syscall3(Libc.Syscalls.SetResGid, user.Gid, Unchanged, Unchanged), "setresgid");
            Check(Libc.syscall3(Libc.Syscalls.SetResUid, user.Uid, Unchanged, Unchanged), "setresuid");
            return own;
        }
        catch (NativeErrorException)
        {
            own.Restore();
            throw;
        }
    }

    /// <summary>Takes the thread back. A thread that cannot be trusted to be itself must not run anything else.</summary>
    public void Restore()
    {
        try
        {
            Check(Libc.syscall3(Libc.Syscalls.SetResUid, _uid, Unchanged, Unchanged), "setresuid");
            Check(Libc.syscall3(Libc.Syscalls.SetResGid, _gid, Unchanged, Unchanged), "setresgid");
            SetGroups(_groups);
        }
        catch (NativeErrorException e)
        {
            Environment.FailFast($"a spawning thread could not take back its own credentials: {e.Message}");
        }
    }

    private static ThreadIdentity Current()
    {
        if (Libc.getresuid(out var uid, out _, out _) != 0 || Libc.getresgid(out var gid, out _, out _) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), "getresuid");
        }

        var count = Libc.getgroups(0, null);
        var groups = new uint[Math.Max(count, 0)];
        fixed (uint* list = groups)
        {
            if (count < 0 || Libc.getgroups(groups.Length, list) != groups.Length)
            {
                throw NativeError.ToException(Marshal.GetLastPInvokeError(), "getgroups");
            }
        }

        return new ThreadIdentity(uid, gid, groups);
    }

    private static void SetGroups(uint[] groups)
    {
        fixed (uint* list = groups)
        {
            Check(Libc.syscall3(Libc.Syscalls.SetGroups, groups.Length, (long)list, 0), "setgroups");
        }
    }

    private static void Check(long result, string call)
    {
        if (result != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), call);
        }
    }
}
