using System.Runtime.InteropServices;

namespace Envd.Linux.Native;

/// <summary>Spawning, pseudo-terminals, non-blocking fds, epoll and reaping: what the process service needs from libc.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int posix_spawn(out int pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc")]
    internal static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport("libc")]
    internal static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport("libc")]
    internal static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);

    [LibraryImport("libc")]
    internal static partial int posix_spawn_file_actions_addopen(void* actions, int fd, byte* path, int flags, uint mode);

    [LibraryImport("libc")]
    internal static partial int posix_spawn_file_actions_addchdir_np(void* actions, byte* path);

    [LibraryImport("libc")]
    internal static partial int posix_spawn_file_actions_addclosefrom_np(void* actions, int from);

    [LibraryImport("libc")]
    internal static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport("libc")]
    internal static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport("libc")]
    internal static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport("libc")]
    internal static partial int posix_spawnattr_setsigmask(void* attributes, void* mask);

    [LibraryImport("libc")]
    internal static partial int posix_spawnattr_setsigdefault(void* attributes, void* signals);

    [LibraryImport("libc")]
    internal static partial int sigemptyset(void* set);

    [LibraryImport("libc")]
    internal static partial int sigfillset(void* set);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int grantpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int unlockpt(int fd);

    [LibraryImport("libc")]
    internal static partial int ptsname_r(int fd, byte* buffer, nint length);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int waitpid(int pid, out int status, int options);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int getpriority(int which, uint who);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int setpriority(int which, uint who, int priority);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial long syscall(long number, int pid, uint flags);

    /// <summary>A raw system call: for credentials, glibc's wrappers would change every thread of the process.</summary>
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    internal static partial long syscall3(long number, long first, long second, long third);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int getresuid(out uint real, out uint effective, out uint saved);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int getresgid(out uint real, out uint effective, out uint saved);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int getgroups(int size, uint* list);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int open(byte* path, int flags, uint mode);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int epoll_ctl(int epoll, int operation, int fd, EpollEvent* events);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int epoll_wait(int epoll, EpollEvent* events, int maxEvents, int timeout);

    internal const int EIO = 5;
    internal const int ECHILD = 10;
    internal const int ESRCH = 3;

    internal const int O_RDONLY = 0;
    internal const int O_WRONLY = 1;
    internal const int O_RDWR = 2;
    internal const int O_NOCTTY = 0x100;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_CLOEXEC = 0x80000;

    internal const int F_GETFL = 3;
    internal const int F_SETFL = 4;
    internal const int F_DUPFD_CLOEXEC = 1030;

    internal const short POSIX_SPAWN_RESETIDS = 0x01;
    internal const short POSIX_SPAWN_SETSIGDEF = 0x04;
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08;
    internal const short POSIX_SPAWN_SETSID = 0x80;

    /// <summary>glibc's posix_spawnattr_t is 336 bytes and posix_spawn_file_actions_t 80 on x86_64; room to spare.</summary>
    internal const int SpawnStructSize = 512;

    internal const int SigsetSize = 128;

    internal const nuint TIOCSWINSZ = 0x5414;

    internal const int PRIO_PROCESS = 0;
    internal const long SYS_pidfd_open = 434;

    internal const int IOPRIO_WHO_PROCESS = 1;

    /// <summary>The system calls whose numbers differ between the two architectures Firecracker runs: x86_64 and aarch64.</summary>
    internal static class Syscalls
    {
        public static readonly long SetGroups = Pick(x64: 116, arm64: 159);
        public static readonly long SetResUid = Pick(x64: 117, arm64: 147);
        public static readonly long SetResGid = Pick(x64: 119, arm64: 149);
        public static readonly long IoprioSet = Pick(x64: 251, arm64: 30);

        private static long Pick(long x64, long arm64) => RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => x64,
            Architecture.Arm64 => arm64,
            var other => throw new PlatformNotSupportedException($"no system call numbers for {other}"),
        };
    }

    internal const int EPOLL_CLOEXEC = 0x80000;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const int EPOLL_CTL_MOD = 3;
    internal const uint EPOLLIN = 0x001;
    internal const uint EPOLLOUT = 0x004;
    internal const uint EPOLLONESHOT = 1u << 30;

    internal const int EFD_CLOEXEC = 0x80000;
    internal const int EFD_NONBLOCK = 0x800;

    /// <summary>The kernel packs epoll_event on x86_64: a 32-bit mask directly followed by 64 bits of user data.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    internal struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixels;
        public ushort YPixels;
    }
}
