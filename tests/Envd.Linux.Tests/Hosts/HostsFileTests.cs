using System.Net;
using Envd.Linux.Hosts;

namespace Envd.Linux.Tests.Hosts;

public sealed class HostsFileTests
{
    private const string Hosts = "# managed by the image\n127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n10.0.0.5 db.internal # database\n";

    [Fact]
    public void The_events_host_is_appended_padded_to_16_and_everything_else_kept()
    {
        var rewritten = HostsFile.Rewrite(Hosts, "events.e2b.local", IPAddress.Parse("192.0.2.1"));

        Assert.Equal(Hosts + "192.0.2.1        events.e2b.local\n", rewritten);
    }

    [Fact]
    public void A_correct_mapping_is_left_alone()
    {
        var once = HostsFile.Rewrite(Hosts, "events.e2b.local", IPAddress.Parse("192.0.2.1"))!;

        Assert.Null(HostsFile.Rewrite(once, "events.e2b.local", IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public void An_old_mapping_is_replaced_and_names_sharing_its_line_survive()
    {
        var hosts = "10.9.9.9 events.e2b.local other.local\n";

        var rewritten = HostsFile.Rewrite(hosts, "events.e2b.local", IPAddress.Parse("fd00::1"));

        Assert.Equal("10.9.9.9 other.local\nfd00::1          events.e2b.local\n", rewritten);
    }
}
