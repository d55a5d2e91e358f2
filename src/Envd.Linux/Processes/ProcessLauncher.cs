using System.Runtime.InteropServices;
using System.Text;
using Envd.Linux.Files;
using Envd.Linux.Native;

namespace Envd.Linux.Processes;

/// <summary>
/// Starts children with glibc's posix_spawn (no fork from managed code): a new session and process group, default
/// signal dispositions and an empty mask, pipes or a PTY that becomes the controlling terminal, and the user's
/// credentials, lent by the spawning thread (<see cref="ThreadIdentity"/>). The child is a shell that waits until Envd
/// has placed it (<see cref="ChildPlacement"/>) and then execs the command: two execs where setpriv, ionice and nice took
/// four. Every fd the parent keeps is close-on-exec and non-blocking, served by one epoll thread.
/// </summary>
public sealed unsafe class ProcessLauncher : IDisposable
{
    private const int PipeChunk = 32 * 1024;
    private const int TerminalChunk = 16 * 1024;
    private static readonly byte[] GoAhead = "\n"u8.ToArray();

    private readonly FdPoller _poller = new();
    private readonly bool _resetNice;

    /// <param name="daemonNice">Envd's own nice value: children are set back to 0 from it, as upstream's <c>nice -n</c> did.</param>
    public ProcessLauncher(int daemonNice) => _resetNice = daemonNice != 0;

    public static ProcessLauncher ForThisDaemon() => new(Libc.getpriority(Libc.PRIO_PROCESS, 0));

    /// <exception cref="ProcessStartException">Nothing was started, or what was started was killed before the command ran.</exception>
    public ChildProcess Start(ProcessSpec spec)
    {
        var argv = ProcessCommandLine.Build(spec);
        var parentEnds = new List<IDisposable>();
        var childEnds = new List<FileDescriptor>();
        var actions = NativeMemory.AllocZeroed(Libc.SpawnStructSize);
        var attributes = NativeMemory.AllocZeroed(Libc.SpawnStructSize);
        var signals = NativeMemory.AllocZeroed(Libc.SigsetSize);
        var strings = new NativeStrings();
        FileDescriptor? goAhead = null;
        var pid = 0;
        try
        {
            Libc.posix_spawn_file_actions_init(actions);
            Libc.posix_spawnattr_init(attributes);
            var wiring = spec.Terminal is { } size
                ? WireTerminal(actions, strings, size, spec.User.Uid, parentEnds)
                : WirePipes(actions, strings, spec.Stdin, parentEnds, childEnds);
            goAhead = WireGoAhead(actions, childEnds);
            Check(Libc.posix_spawn_file_actions_addchdir_np(actions, strings.Add(spec.WorkingDirectory)), "chdir");

            // Close-on-exec covers what Envd opens; this also covers fds the daemon inherited without it.
            Check(Libc.posix_spawn_file_actions_addclosefrom_np(actions, ProcessCommandLine.GoAheadFd + 1), "closefrom");
            const short flags = Libc.POSIX_SPAWN_SETSID | Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF | Libc.POSIX_SPAWN_RESETIDS;
            Check(Libc.posix_spawnattr_setflags(attributes, flags), "flags");
            Libc.sigemptyset(signals);
            Check(Libc.posix_spawnattr_setsigmask(attributes, signals), "sigmask");
            Libc.sigfillset(signals);
            Check(Libc.posix_spawnattr_setsigdefault(attributes, signals), "sigdefault");

            var nativeArgv = strings.AddArray(argv);
            var envp = strings.AddArray(spec.Environment.Select(kv => $"{kv.Key}={kv.Value}").ToList());
            var lent = ThreadIdentity.LendTo(spec.User);
            int error;
            try
            {
                error = Libc.posix_spawn(out pid, nativeArgv[0], actions, attributes, nativeArgv, envp);
            }
            finally
            {
                lent.Restore();
            }

            if (error != 0)
            {
                pid = 0;
                throw Failed(spec, Marshal.GetPInvokeErrorMessage(error));
            }

            foreach (var end in childEnds)
            {
                end.Dispose();
            }

            childEnds.Clear();
            var pidFd = OpenPidFd(pid);
            parentEnds.Add(pidFd);
            ChildPlacement.Apply(pid, spec.CgroupProcs, _resetNice);
            Release(goAhead);
            parentEnds.Remove(pidFd);
            return wiring(pid, pidFd);
        }
        catch (Exception e)
        {
            if (pid > 0)
            {
                // The shell is still waiting for the go-ahead: the command never ran.
                Libc.kill(pid, SignalNames.Kill);
                Libc.waitpid(pid, out _, 0);
            }

            foreach (var owned in parentEnds)
            {
                owned.Dispose();
            }

            if (e is NativeErrorException)
            {
                throw Failed(spec, e.Message);
            }

            throw;
        }
        finally
        {
            goAhead?.Dispose();
            foreach (var end in childEnds)
            {
                end.Dispose();
            }

            Libc.posix_spawn_file_actions_destroy(actions);
            Libc.posix_spawnattr_destroy(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
            strings.Dispose();
        }
    }

    public void Dispose() => _poller.Dispose();

    private Func<int, FileDescriptor, ChildProcess> WirePipes(
        void* actions, NativeStrings strings, bool stdin, List<IDisposable> parentEnds, List<FileDescriptor> childEnds)
    {
        InputWriter? input = null;
        if (stdin)
        {
            var (writing, childReads) = Pipe(parentEnds, childEnds, parentReads: false);
            Check(Libc.posix_spawn_file_actions_adddup2(actions, childReads, 0), "dup2 stdin");
            input = new InputWriter(_poller, writing);
            parentEnds.Add(input);
        }
        else
        {
            Check(Libc.posix_spawn_file_actions_addopen(actions, 0, strings.Add("/dev/null"), Libc.O_RDONLY, 0), "open /dev/null");
        }

        var (stdoutRead, childStdout) = Pipe(parentEnds, childEnds, parentReads: true);
        Check(Libc.posix_spawn_file_actions_adddup2(actions, childStdout, 1), "dup2 stdout");
        var stdout = new OutputReader(_poller, stdoutRead, OutputKind.Stdout, PipeChunk);
        parentEnds.Add(stdout);
        var (stderrRead, childStderr) = Pipe(parentEnds, childEnds, parentReads: true);
        Check(Libc.posix_spawn_file_actions_adddup2(actions, childStderr, 2), "dup2 stderr");
        var stderr = new OutputReader(_poller, stderrRead, OutputKind.Stderr, PipeChunk);
        parentEnds.Add(stderr);
        return (pid, pidFd) => new ChildProcess(pid, [stdout, stderr], input, isTerminal: false, _poller, pidFd);
    }

    /// <summary>
    /// Opens a PTY pair. The child opens the slave as fd 0 after setsid, which makes it the controlling terminal; the
    /// parent never holds the slave, so the master reads EIO once the last process using it is gone.
    /// </summary>
    private Func<int, FileDescriptor, ChildProcess> WireTerminal(
        void* actions, NativeStrings strings, TerminalSize size, uint uid, List<IDisposable> parentEnds)
    {
        var master = Libc.posix_openpt(Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC);
        if (master < 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), "posix_openpt");
        }

        var reading = new FileDescriptor(master);
        parentEnds.Add(reading);
        if (Libc.grantpt(master) != 0 || Libc.unlockpt(master) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), "unlockpt");
        }

        var name = stackalloc byte[128];
        Check(Libc.ptsname_r(master, name, 128), "ptsname_r");
        var slave = Marshal.PtrToStringUTF8((nint)name)!;
        Ownership.Chown(slave, uid, uint.MaxValue);
        SetNonBlocking(master);

        var duplicate = Libc.fcntl(master, Libc.F_DUPFD_CLOEXEC, 0);
        if (duplicate < 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), "dup");
        }

        var writing = new FileDescriptor(duplicate);
        parentEnds.Add(writing);
        var input = new InputWriter(_poller, writing);
        parentEnds.Add(input);
        input.SetWindowSize(size);
        var output = new OutputReader(_poller, reading, OutputKind.Pty, TerminalChunk);
        parentEnds.Add(output);

        Check(Libc.posix_spawn_file_actions_addopen(actions, 0, strings.Add(slave), Libc.O_RDWR, 0), "open tty");
        Check(Libc.posix_spawn_file_actions_adddup2(actions, 0, 1), "dup2 tty");
        Check(Libc.posix_spawn_file_actions_adddup2(actions, 0, 2), "dup2 tty");
        return (pid, pidFd) => new ChildProcess(pid, [output], input, isTerminal: true, _poller, pidFd);
    }

    /// <summary>
    /// The pipe the child's shell reads its go-ahead from, as fd 3. The parent's end stays blocking: one byte into an
    /// empty pipe never waits.
    /// </summary>
    private static FileDescriptor WireGoAhead(void* actions, List<FileDescriptor> childEnds)
    {
        var fds = stackalloc int[2];
        if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), "pipe2");
        }

        childEnds.Add(new FileDescriptor(fds[0]));
        var writing = new FileDescriptor(fds[1]);
        Check(Libc.posix_spawn_file_actions_adddup2(actions, fds[0], ProcessCommandLine.GoAheadFd), "dup2 go-ahead");
        return writing;
    }

    private static void Release(FileDescriptor goAhead)
    {
        using var fd = goAhead.Acquire();
        fixed (byte* bytes = GoAhead)
        {
            if (Libc.write(fd.Number, bytes, GoAhead.Length) != GoAhead.Length)
            {
                throw NativeError.ToException(Marshal.GetLastPInvokeError(), "go-ahead");
            }
        }
    }

    /// <summary>A close-on-exec pipe: the parent's end (non-blocking) and the fd number the child dup2s.</summary>
    private static (FileDescriptor Parent, int Child) Pipe(List<IDisposable> parentEnds, List<FileDescriptor> childEnds, bool parentReads)
    {
        var fds = stackalloc int[2];
        if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), "pipe2");
        }

        var (parent, child) = parentReads ? (fds[0], fds[1]) : (fds[1], fds[0]);
        childEnds.Add(new FileDescriptor(child));
        var parentEnd = new FileDescriptor(parent);
        parentEnds.Add(parentEnd);
        SetNonBlocking(parent);
        return (parentEnd, child);
    }

    private static void SetNonBlocking(int fd)
    {
        var flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
        if (flags < 0 || Libc.fcntl(fd, Libc.F_SETFL, flags | Libc.O_NONBLOCK) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), "fcntl O_NONBLOCK");
        }
    }

    /// <summary>A pidfd turns the child's exit into epoll readiness; the unreaped child's pid cannot be reused meanwhile.</summary>
    private static FileDescriptor OpenPidFd(int pid)
    {
        var fd = (int)Libc.syscall(Libc.SYS_pidfd_open, pid, 0);
        if (fd >= 0)
        {
            return new FileDescriptor(fd);
        }

        throw NativeError.ToException(Marshal.GetLastPInvokeError(), "pidfd_open");
    }

    private static void Check(int error, string step)
    {
        if (error != 0)
        {
            throw NativeError.ToException(error, $"posix_spawn {step}");
        }
    }

    private static ProcessStartException Failed(ProcessSpec spec, string reason) =>
        new($"error starting process '{string.Join(' ', spec.Args.Prepend(spec.Command))}': {reason}");

    /// <summary>NUL-terminated UTF-8 copies of managed strings, freed together.</summary>
    private sealed class NativeStrings : IDisposable
    {
        private readonly List<nint> _blocks = [];

        public byte* Add(string value)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            var block = (byte*)NativeMemory.Alloc((nuint)length + 1);
            _blocks.Add((nint)block);
            Encoding.UTF8.GetBytes(value, new Span<byte>(block, length));
            block[length] = 0;
            return block;
        }

        /// <summary>A NULL-terminated array of strings, as argv and envp are.</summary>
        public byte** AddArray(IReadOnlyList<string> values)
        {
            var array = (byte**)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(nint));
            _blocks.Add((nint)array);
            for (var i = 0; i < values.Count; i++)
            {
                array[i] = Add(values[i]);
            }

            return array;
        }

        public void Dispose()
        {
            foreach (var block in _blocks)
            {
                NativeMemory.Free((void*)block);
            }
        }
    }
}
