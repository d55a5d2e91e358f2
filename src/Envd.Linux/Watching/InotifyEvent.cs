using System.Buffers.Binary;
using System.Text;

namespace Envd.Linux.Watching;

/// <summary>The inotify(7) mask bits Envd asks for and reads.</summary>
public static class InotifyMask
{
    public const uint Modify = 0x2;
    public const uint Attrib = 0x4;
    public const uint MovedFrom = 0x40;
    public const uint MovedTo = 0x80;
    public const uint Create = 0x100;
    public const uint Delete = 0x200;
    public const uint DeleteSelf = 0x400;
    public const uint MoveSelf = 0x800;
    public const uint QueueOverflow = 0x4000;
    public const uint Ignored = 0x8000;
    public const uint OnlyDir = 0x01000000;
    public const uint DontFollow = 0x02000000;
    public const uint IsDir = 0x40000000;

    /// <summary>What a directory watch listens for: the same set fsnotify registers.</summary>
    public const uint Watched = Modify | Attrib | MovedFrom | MovedTo | Create | Delete | DeleteSelf | MoveSelf;
}

/// <summary>One struct inotify_event: the watch it came from, what happened, and the entry's name inside that directory.</summary>
public readonly record struct InotifyEvent(int Wd, uint Mask, uint Cookie, string Name)
{
    public bool Has(uint bits) => (Mask & bits) != 0;

    /// <summary>Splits a read(2) buffer into events; names are NUL-padded to alignment on the wire.</summary>
    public static List<InotifyEvent> Parse(ReadOnlySpan<byte> buffer)
    {
        var events = new List<InotifyEvent>();
        while (buffer.Length >= 16)
        {
            var wd = BinaryPrimitives.ReadInt32LittleEndian(buffer);
            var mask = BinaryPrimitives.ReadUInt32LittleEndian(buffer[4..]);
            var cookie = BinaryPrimitives.ReadUInt32LittleEndian(buffer[8..]);
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer[12..]);
            if (buffer.Length < 16 + length)
            {
                break;
            }

            var name = buffer.Slice(16, length);
            var end = name.IndexOf((byte)0);
            events.Add(new InotifyEvent(wd, mask, cookie, Encoding.UTF8.GetString(end >= 0 ? name[..end] : name)));
            buffer = buffer[(16 + length)..];
        }

        return events;
    }
}
