namespace Envd.Linux.Files;

/// <summary>
/// Go's <c>os.FileMode.String()</c> of a stat mode, which the SDKs show as permissions: type letters from
/// <c>dalTLDpSugct?</c> (or <c>-</c>), then <c>rwxrwxrwx</c>. Not the <c>ls -l</c> format.
/// </summary>
public static class FileModeText
{
    public static string Format(uint mode)
    {
        var text = new System.Text.StringBuilder(12);
        var type = mode & FileStatus.TypeMask;
        if (type == FileStatus.Directory)
        {
            text.Append('d');
        }

        if (type == FileStatus.Symlink)
        {
            text.Append('L');
        }

        if (type is 0x6000 or 0x2000)
        {
            text.Append('D');
        }

        if (type == 0x1000)
        {
            text.Append('p');
        }

        if (type == 0xC000)
        {
            text.Append('S');
        }

        if ((mode & 0x800) != 0)
        {
            text.Append('u');
        }

        if ((mode & 0x400) != 0)
        {
            text.Append('g');
        }

        if (type == 0x2000)
        {
            text.Append('c');
        }

        if ((mode & 0x200) != 0)
        {
            text.Append('t');
        }

        if (text.Length == 0)
        {
            text.Append('-');
        }

        const string rwx = "rwxrwxrwx";
        for (var i = 0; i < 9; i++)
        {
            text.Append((mode & (1u << (8 - i))) != 0 ? rwx[i] : '-');
        }

        return text.ToString();
    }
}
