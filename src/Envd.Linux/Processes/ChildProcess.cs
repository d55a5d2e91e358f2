using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Processes;

/// <summary>
/// A started child: leader of its own session and process group, with its output readers, its input (stdin pipe when
/// asked, or the PTY master) and its exit, which is reaped as soon as it happens.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int WNOHANG = 1;

    internal ChildProcess(int pid, IReadOnlyList<OutputReader> outputs, InputWriter? input, bool isTerminal, FdPoller poller, FileDescriptor pidFd)
    {
        Pid = pid;
        Outputs = outputs;
        Input = input;
        IsTerminal = isTerminal;
        Exit = ReapAsync(poller, pidFd);
    }

    /// <summary>The command's pid (the wrapper execs it), which is also its process group and session id.</summary>
    public int Pid { get; }

    /// <summary>stdout and stderr, or the single PTY stream.</summary>
    public IReadOnlyList<OutputReader> Outputs { get; }

    /// <summary>The stdin pipe, the PTY master, or null when stdin is /dev/null.</summary>
    public InputWriter? Input { get; }

    public bool IsTerminal { get; }

    /// <summary>Completes once the child has been reaped.</summary>
    public Task<ProcessExit> Exit { get; }

    /// <summary>Signals the whole process group, so the command's own children get it too.</summary>
    /// <returns>False when no process of the group is left.</returns>
    public bool SignalGroup(int signal)
    {
        if (Libc.kill(-Pid, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Libc.ESRCH ? false : throw NativeError.ToException(errno, $"kill -{signal} -{Pid}");
    }

    /// <exception cref="InvalidOperationException">The child has no terminal.</exception>
    public void Resize(TerminalSize size)
    {
        if (!IsTerminal || Input is null)
        {
            throw new InvalidOperationException("tty not assigned to process");
        }

        Input.SetWindowSize(size);
    }

    /// <summary>Closes every fd the parent still holds; the exit is still reaped.</summary>
    public void Dispose()
    {
        foreach (var output in Outputs)
        {
            output.Dispose();
        }

        Input?.Dispose();
    }

    private async Task<ProcessExit> ReapAsync(FdPoller poller, FileDescriptor pidFd)
    {
        using (pidFd)
        using (var exited = poller.Watch(pidFd, writable: false))
        {
            while (true)
            {
                var result = Libc.waitpid(Pid, out var status, WNOHANG);
                if (result == Pid)
                {
                    return ProcessExit.FromWaitStatus(status);
                }

                if (result < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Libc.EINTR)
                    {
                        throw NativeError.ToException(errno, $"waitpid {Pid}");
                    }

                    continue;
                }

                await exited.WaitAsync(CancellationToken.None);
            }
        }
    }
}
