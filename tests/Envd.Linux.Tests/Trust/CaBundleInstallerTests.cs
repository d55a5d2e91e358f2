using Envd.Linux.Trust;

namespace Envd.Linux.Tests.Trust;

public sealed class CaBundleInstallerTests : IDisposable
{
    private const string SystemCa = "-----BEGIN CERTIFICATE-----\nSYSTEM\n-----END CERTIFICATE-----\n";
    private const string First = "-----BEGIN CERTIFICATE-----\nFIRST\n-----END CERTIFICATE-----";
    private const string Second = "-----BEGIN CERTIFICATE-----\nSECOND\n-----END CERTIFICATE-----\n\n";

    private readonly string _root = Directory.CreateTempSubdirectory("envd-ca-").FullName;
    private readonly string _bundle;
    private readonly string _local;

    public CaBundleInstallerTests()
    {
        _bundle = Path.Combine(_root, "ca-certificates.crt");
        _local = Path.Combine(_root, "local", "e2b-ca.crt");
        File.WriteAllText(_bundle, SystemCa);
    }

    [Fact]
    public void The_first_install_appends_to_the_bundle_and_keeps_a_local_copy()
    {
        var installed = new CaBundleInstaller(_bundle, _local).Install(First, null);

        Assert.Equal(First + "\n", installed);
        Assert.Equal(SystemCa + First + "\n", File.ReadAllText(_bundle));
        Assert.Equal(First + "\n", File.ReadAllText(_local));
    }

    [Fact]
    public void Installing_the_same_pem_again_changes_nothing()
    {
        var installer = new CaBundleInstaller(_bundle, _local);
        var installed = installer.Install(First, null);

        installer.Install(First + "\n\n", installed);

        Assert.Equal(SystemCa + First + "\n", File.ReadAllText(_bundle));
    }

    [Fact]
    public void A_different_pem_replaces_the_previous_one()
    {
        var installer = new CaBundleInstaller(_bundle, _local);
        var installed = installer.Install(First, null);

        installer.Install(Second, installed);

        Assert.Equal(SystemCa + "-----BEGIN CERTIFICATE-----\nSECOND\n-----END CERTIFICATE-----\n", File.ReadAllText(_bundle));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(_bundle));
    }

    [Fact]
    public void After_a_restart_the_local_copy_stands_in_for_the_forgotten_previous_pem()
    {
        new CaBundleInstaller(_bundle, _local).Install(First, null);

        var restarted = new CaBundleInstaller(_bundle, _local);
        restarted.Install(First, null);
        Assert.Equal(SystemCa + First + "\n", File.ReadAllText(_bundle));

        restarted.Install(Second, null);
        Assert.DoesNotContain("FIRST", File.ReadAllText(_bundle));
        Assert.Contains("SECOND", File.ReadAllText(_bundle));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
