using System.Buffers.Binary;

namespace AspireMmRag.Media;

/// <summary>What an image file really is, from its first bytes (never from its name or a Content-Type), with its pixel size
/// read from the header when the header gives it (0 otherwise). Only JPEG, PNG and WebP are recognised.</summary>
public sealed record ImageFormat(string MimeType, int Width, int Height)
{
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".webp" };

    /// <summary>The format of <paramref name="bytes"/>, or null when it is none of JPEG, PNG, WebP.</summary>
    public static ImageFormat? Detect(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 24 && bytes[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return new("image/png", (int)BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]), (int)BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]));
        }
        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
        {
            var (width, height) = JpegSize(bytes);
            return new("image/jpeg", width, height);
        }
        if (bytes.Length >= 16 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
        {
            var (width, height) = WebPSize(bytes);
            return new("image/webp", width, height);
        }
        return null;
    }

    private static (int Width, int Height) JpegSize(ReadOnlySpan<byte> bytes)
    {
        var position = 2;
        while (position + 4 <= bytes.Length)
        {
            if (bytes[position] != 0xFF)
            {
                return (0, 0);
            }
            var marker = bytes[position + 1];
            if (marker == 0xFF)
            {
                position++;
                continue;
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD9))
            {
                position += 2;
                continue;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(position + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return position + 9 <= bytes.Length
                    ? (BinaryPrimitives.ReadUInt16BigEndian(bytes[(position + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(bytes[(position + 5)..]))
                    : (0, 0);
            }
            position += 2 + length;
        }
        return (0, 0);
    }

    private static (int Width, int Height) WebPSize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 30)
        {
            return (0, 0);
        }
        var chunk = bytes[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            return (ReadUInt24(bytes[24..]) + 1, ReadUInt24(bytes[27..]) + 1);
        }
        if (chunk.SequenceEqual("VP8 "u8) && bytes[23] == 0x9D && bytes[24] == 0x01 && bytes[25] == 0x2A)
        {
            return (BinaryPrimitives.ReadUInt16LittleEndian(bytes[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(bytes[28..]) & 0x3FFF);
        }
        if (chunk.SequenceEqual("VP8L"u8) && bytes[20] == 0x2F)
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(bytes[21..]);
            return ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }
        return (0, 0);
    }

    private static int ReadUInt24(ReadOnlySpan<byte> bytes) => bytes[0] | (bytes[1] << 8) | (bytes[2] << 16);
}
