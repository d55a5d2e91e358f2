using System.Net;
using Envd.Linux.Hosts;

namespace Envd.Linux.Tests.Hosts;

public sealed class HostsFileTests
{
    private const string Name = "events.e2b.local";

    [Fact]
    public void The_mapping_is_appended_keeping_comments_and_other_entries()
    {
        const string hosts = "# static table\n127.0.0.1\tlocalhost\n::1 localhost ip6-localhost # loopback\n";

        var rewritten = HostsFile.Rewrite(hosts, Name, IPAddress.Parse("192.0.2.1"));

        Assert.Equal(hosts + "192.0.2.1        events.e2b.local\n", rewritten);
    }

    [Fact]
    public void An_existing_mapping_is_replaced_and_other_names_on_its_line_are_kept()
    {
        const string hosts = "127.0.0.1 localhost\n10.0.0.9 events.e2b.local\n10.0.0.8 other events.e2b.local\n";

        var rewritten = HostsFile.Rewrite(hosts, Name, IPAddress.Parse("192.0.2.1"));

        Assert.Equal("127.0.0.1 localhost\n10.0.0.8 other\n192.0.2.1        events.e2b.local\n", rewritten);
    }

    [Fact]
    public void Nothing_changes_when_the_mapping_is_already_right()
    {
        Assert.Null(HostsFile.Rewrite("127.0.0.1 localhost\n192.0.2.1        events.e2b.local\n", Name, IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public void A_mapping_in_a_comment_does_not_count()
    {
        var rewritten = HostsFile.Rewrite("# 192.0.2.1 events.e2b.local\n", Name, IPAddress.Parse("192.0.2.1"));

        Assert.Equal("# 192.0.2.1 events.e2b.local\n192.0.2.1        events.e2b.local\n", rewritten);
    }

    [Fact]
    public void Ipv6_addresses_are_written_as_ipv6_and_an_empty_file_gets_one_line()
    {
        Assert.Equal("fd00::1          events.e2b.local\n", HostsFile.Rewrite("", Name, IPAddress.Parse("fd00::1")));
    }
}
