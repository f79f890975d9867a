using System.Buffers.Binary;
using System.IO.Hashing;

namespace GridPositions.Persistence;

/// <summary>
/// The framing shared by journal segments and snapshot files: an 8-byte header (4-byte magic, little-endian format
/// version), then records of [payload length: uint32 LE][CRC-32 of payload: uint32 LE][payload].
/// </summary>
internal static class RecordFile
{
    public const int HeaderSize = 8;
    public const int FrameSize = 8;
    public const uint Version = 1;
    private const int MaxRecordSize = 64 * 1024 * 1024;

    public static byte[] Header(string magic)
    {
        var header = new byte[HeaderSize];
        for (int i = 0; i < 4; i++)
        {
            header[i] = (byte)magic[i];
        }

        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), Version);
        return header;
    }

    /// <summary>Appends one framed record to <paramref name="buffer"/>.</summary>
    public static void Frame(ReadOnlySpan<byte> payload, List<byte> buffer)
    {
        Span<byte> frame = stackalloc byte[FrameSize];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[4..], Crc32.HashToUInt32(payload));
        buffer.AddRange(frame);
        buffer.AddRange(payload);
    }

    /// <summary>
    /// Reads every record of a file. A damaged tail (a record cut short, or whose checksum fails and which ends the
    /// file) is a torn write when <paramref name="tailMayBeTorn"/>: reading stops and <see cref="Contents.TornAt"/>
    /// says where. Damage anywhere else throws <see cref="StoreCorruptedException"/> naming the file and offset.
    /// </summary>
    public static Contents Read(string path, string magic, bool tailMayBeTorn)
    {
        byte[] data = File.ReadAllBytes(path);
        if (data.Length < HeaderSize)
        {
            return tailMayBeTorn ? new Contents([], 0) : throw new StoreCorruptedException(path, 0, "the header is incomplete");
        }

        for (int i = 0; i < 4; i++)
        {
            if (data[i] != (byte)magic[i])
            {
                throw new StoreCorruptedException(path, 0, $"it is not a {magic} file");
            }
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4));
        if (version != Version)
        {
            throw new StoreCorruptedException(path, 4, $"format version {version} is not supported (this version reads {Version})");
        }

        var records = new List<(long Offset, ReadOnlyMemory<byte> Payload)>();
        long position = HeaderSize;
        while (position < data.Length)
        {
            string? damage = null;
            long end = -1;
            if (data.Length - position < FrameSize)
            {
                damage = "the record frame is incomplete";
            }
            else
            {
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)position));
                uint crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)position + 4));
                end = position + FrameSize + length;
                if (length > MaxRecordSize || end > data.Length)
                {
                    damage = $"the record claims {length} bytes, more than the file holds";
                }
                else if (Crc32.HashToUInt32(data.AsSpan((int)position + FrameSize, (int)length)) != crc)
                {
                    damage = "the record's checksum does not match";
                }
                else
                {
                    records.Add((position, data.AsMemory((int)position + FrameSize, (int)length)));
                    position = end;
                    continue;
                }
            }

            // Only the last record can be torn by a crash mid-write: it runs to the end of the file.
            bool atTail = end < 0 || end >= data.Length;
            return tailMayBeTorn && atTail ? new Contents(records, position) : throw new StoreCorruptedException(path, position, damage);
        }

        return new Contents(records, -1);
    }

    /// <summary>The records of a file and, if its tail was torn, where the tear starts (-1: none).</summary>
    public sealed record Contents(IReadOnlyList<(long Offset, ReadOnlyMemory<byte> Payload)> Records, long TornAt);
}
