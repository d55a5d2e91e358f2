using System.Diagnostics;

namespace Envd.Linux.Metadata;

/// <summary>
/// Upstream's route self-heal: for PREROUTING and OUTPUT, delete then re-insert at position 1
/// <c>-d &lt;metadata ip&gt; -p tcp --dport 80 -j RETURN</c> in the nat table. Only ever run inside the VM.
/// </summary>
public sealed class IptablesMetadataRoute(string metadataAddress) : IMetadataRoute
{
    public async Task PinAsync(CancellationToken cancellationToken)
    {
        foreach (var chain in new[] { "PREROUTING", "OUTPUT" })
        {
            string[] rule = ["-d", metadataAddress, "-p", "tcp", "--dport", "80", "-j", "RETURN"];
            await RunAsync(["-w", "5", "-t", "nat", "-D", chain, .. rule], cancellationToken);
            await RunAsync(["-w", "5", "-t", "nat", "-I", chain, "1", .. rule], cancellationToken);
        }
    }

    private static async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("iptables") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is not null)
            {
                await process.WaitForExitAsync(cancellationToken);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No iptables in this image: there is no NAT rule to get around either.
        }
        catch (OperationCanceledException)
        {
            // iptables waited too long for its lock; the lookup is retried either way.
        }
    }
}
