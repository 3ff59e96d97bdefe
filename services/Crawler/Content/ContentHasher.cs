using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AspireMmRag.Messaging;

namespace AspireMmRag.Crawler.Content;

/// <summary>
/// <see cref="DocumentCrawled.ContentHash"/>: sha256 over the sections (title, path, level, text) and the image references
/// (media ref, caption, licence, artist, attribution, section), each field length-prefixed so different splits never collide.
/// Same hash, same content: the indexer can skip unchanged documents.
/// </summary>
public static class ContentHasher
{
    public static string Compute(IReadOnlyList<DocumentSection> sections, IReadOnlyList<DocumentImage> images)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, "sections");
        foreach (var section in sections)
        {
            Append(hash, section.Title);
            Append(hash, section.Path);
            Append(hash, section.Level.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Append(hash, section.Text);
        }
        Append(hash, "images");
        foreach (var image in images)
        {
            Append(hash, image.MediaRef);
            Append(hash, image.Caption);
            Append(hash, image.License);
            Append(hash, image.Artist);
            Append(hash, image.Attribution);
            Append(hash, image.Section);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
