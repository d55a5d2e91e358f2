using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Envd.Linux.Native;

namespace Envd.Linux.Processes;

/// <summary>
/// What upstream's root wrapper shell did before it dropped to the user, done by Envd on the pid of a child that waits
/// for it: join the workload cgroup, raise the OOM score to 100 (Envd itself is exempt), reset the nice value to 0 when
/// Envd runs niced, and best-effort I/O priority 4 (<c>ionice -c 2 -n 4</c>).
/// </summary>
internal static unsafe class ChildPlacement
{
    private const string OomScore = "100";
    private const int IoprioClassBestEffort = 2;
    private const int IoprioLevel = 4;
    private const int IoprioClassShift = 13;

    /// <exception cref="NativeErrorException">The child could not be placed; it must not run the command.</exception>
    public static void Apply(int pid, string? cgroupProcs, bool resetNice)
    {
        var id = pid.ToString(CultureInfo.InvariantCulture);

        // Moving a process between cgroups is refused without delegation; that is no reason to refuse the command.
        if (cgroupProcs is not null)
        {
            Write(cgroupProcs, id);
        }

        Check(Write($"/proc/{id}/oom_score_adj", OomScore), "oom_score_adj");
        if (resetNice && Libc.setpriority(Libc.PRIO_PROCESS, (uint)pid, 0) != 0)
        {
            Check(Marshal.GetLastPInvokeError(), "setpriority");
        }

        if (Libc.syscall3(Libc.Syscalls.IoprioSet, Libc.IOPRIO_WHO_PROCESS, pid, (IoprioClassBestEffort << IoprioClassShift) | IoprioLevel) != 0)
        {
            Check(Marshal.GetLastPInvokeError(), "ioprio_set");
        }
    }

    /// <summary>Writes <paramref name="text"/> to an existing file in one write; 0 or the errno.</summary>
    private static int Write(string path, string text)
    {
        var pathBytes = Encoding.UTF8.GetBytes(path + "\0");
        var textBytes = Encoding.ASCII.GetBytes(text);
        int fd;
        fixed (byte* native = pathBytes)
        {
            fd = Libc.open(native, Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        nint written;
        fixed (byte* bytes = textBytes)
        {
            written = Libc.write(fd, bytes, textBytes.Length);
        }

        var errno = written == textBytes.Length ? 0 : written < 0 ? Marshal.GetLastPInvokeError() : Libc.EIO;
        Libc.close(fd);
        return errno;
    }

    private static void Check(int errno, string step)
    {
        if (errno != 0)
        {
            throw NativeError.ToException(errno, step);
        }
    }
}
