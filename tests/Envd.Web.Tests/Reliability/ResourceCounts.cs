using Akka.Actor;

namespace Envd.Web.Tests.Reliability;

/// <summary>What a process holds that a leak would grow: open descriptors, threads, live actors, unreaped children.</summary>
public sealed record ResourceCounts(int OpenFiles, int Threads, int Actors, int Zombies)
{
    public static async Task<ResourceCounts> TakeAsync(ActorSystem system)
    {
        var pid = Environment.ProcessId;
        return new ResourceCounts(
            Directory.GetFileSystemEntries("/proc/self/fd").Length,
            ThreadsOf(pid),
            await CountActorsAsync(system),
            ZombieChildrenOf(pid));
    }

    public override string ToString() => $"{OpenFiles} fds, {Threads} threads, {Actors} actors, {Zombies} zombies";

    /// <summary>Every actor under /user, found by asking each level of the tree to identify itself.</summary>
    private static async Task<int> CountActorsAsync(ActorSystem system)
    {
        var inbox = Inbox.Create(system);
        for (var depth = 1; depth <= 8; depth++)
        {
            system.ActorSelection("/user" + string.Concat(Enumerable.Repeat("/*", depth))).Tell(new Identify(depth), inbox.Receiver);
        }

        var found = 0;
        while (true)
        {
            try
            {
                if (await inbox.ReceiveAsync(TimeSpan.FromMilliseconds(500)) is ActorIdentity { Subject: not null })
                {
                    found++;
                }
            }
            catch (TimeoutException)
            {
                return found;
            }
        }
    }

    private static int ThreadsOf(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim());

    private static int ZombieChildrenOf(int pid)
    {
        var zombies = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] == "Z" && int.Parse(fields[1]) == pid)
                {
                    zombies++;
                }
            }
            catch (IOException)
            {
                // The process exited while we looked.
            }
        }

        return zombies;
    }
}
