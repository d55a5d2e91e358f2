using Envd.Linux.Trust;

namespace Envd.Linux.Tests.Trust;

public sealed class CaBundleInstallerTests : IDisposable
{
    private const string SystemCa = "-----BEGIN CERTIFICATE-----\nSYSTEM\n-----END CERTIFICATE-----\n";
    private const string First = "-----BEGIN CERTIFICATE-----\nFIRST\n-----END CERTIFICATE-----";
    private const string Second = "-----BEGIN CERTIFICATE-----\nSECOND\n-----END CERTIFICATE-----\n\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("envd-ca-").FullName;

    private string Bundle => Path.Combine(_dir, "ca-certificates.crt");

    private string LocalCopy => Path.Combine(_dir, "local", "e2b-ca.crt");

    [Fact]
    public void A_first_install_appends_to_the_bundle_and_keeps_a_local_copy()
    {
        File.WriteAllText(Bundle, SystemCa);

        var installed = new CaBundleInstaller(Bundle, LocalCopy).Install(First, previous: null);

        Assert.Equal(First + "\n", installed);
        Assert.Equal(SystemCa + First + "\n", File.ReadAllText(Bundle));
        Assert.Equal(First + "\n", File.ReadAllText(LocalCopy));
    }

    [Fact]
    public void A_first_install_into_a_bundle_without_a_final_newline_starts_a_new_line()
    {
        File.WriteAllText(Bundle, SystemCa.TrimEnd('\n'));

        new CaBundleInstaller(Bundle, LocalCopy).Install(First, previous: null);

        Assert.Equal(SystemCa + First + "\n", File.ReadAllText(Bundle));
    }

    [Fact]
    public void The_same_certificate_again_changes_nothing()
    {
        File.WriteAllText(Bundle, SystemCa);
        var installer = new CaBundleInstaller(Bundle, LocalCopy);
        var installed = installer.Install(First, previous: null);
        var written = File.GetLastWriteTimeUtc(Bundle);
        File.Delete(LocalCopy);

        var again = installer.Install(First + "\n\n", installed);

        Assert.Equal(installed, again);
        Assert.Equal(SystemCa + First + "\n", File.ReadAllText(Bundle));
        Assert.Equal(written, File.GetLastWriteTimeUtc(Bundle));
        Assert.False(File.Exists(LocalCopy));
    }

    [Fact]
    public void A_new_certificate_replaces_the_previous_one_and_keeps_the_system_ones()
    {
        File.WriteAllText(Bundle, SystemCa);
        var installer = new CaBundleInstaller(Bundle, LocalCopy);
        var first = installer.Install(First, previous: null);

        var second = installer.Install(Second, first);

        Assert.Equal("-----BEGIN CERTIFICATE-----\nSECOND\n-----END CERTIFICATE-----\n", second);
        Assert.Equal(SystemCa + second, File.ReadAllText(Bundle));
        Assert.Equal(second, File.ReadAllText(LocalCopy));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(Bundle));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void A_missing_bundle_is_created_on_first_install()
    {
        new CaBundleInstaller(Bundle, LocalCopy).Install(First, previous: null);

        Assert.Equal(First + "\n", File.ReadAllText(Bundle));
    }

    [Fact]
    public void After_a_restart_the_local_copy_stands_in_for_the_forgotten_previous_pem()
    {
        File.WriteAllText(Bundle, SystemCa);
        new CaBundleInstaller(Bundle, LocalCopy).Install(First, previous: null);

        var restarted = new CaBundleInstaller(Bundle, LocalCopy);
        restarted.Install(First, previous: null);
        Assert.Equal(SystemCa + First + "\n", File.ReadAllText(Bundle));

        restarted.Install(Second, previous: null);
        Assert.DoesNotContain("FIRST", File.ReadAllText(Bundle));
        Assert.Contains("SECOND", File.ReadAllText(Bundle));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
