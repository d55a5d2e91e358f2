using Envd.Linux.Files;

namespace Envd.Linux.Tests.Files;

public sealed class FileModeTextTests
{
    [Theory]
    [InlineData(0x8000 | 0x1A4, "-rw-r--r--")]
    [InlineData(0x4000 | 0x1ED, "drwxr-xr-x")]
    [InlineData(0xA000 | 0x1FF, "Lrwxrwxrwx")]
    [InlineData(0x4000 | 0x200 | 0x1FF, "dtrwxrwxrwx")]
    [InlineData(0x8000 | 0x800 | 0x1ED, "urwxr-xr-x")]
    [InlineData(0x8000 | 0x400 | 0x1ED, "grwxr-xr-x")]
    [InlineData(0x2000 | 0x1B6, "Dcrw-rw-rw-")]
    [InlineData(0x6000 | 0x1B0, "Drw-rw----")]
    [InlineData(0x1000 | 0x1A4, "prw-r--r--")]
    [InlineData(0xC000 | 0x1ED, "Srwxr-xr-x")]
    [InlineData(0x8000, "----------")]
    public void Formats_modes_the_way_go_does(int mode, string expected) =>
        Assert.Equal(expected, FileModeText.Format((uint)mode));
}
