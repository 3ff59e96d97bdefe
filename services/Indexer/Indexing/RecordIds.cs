using System.Security.Cryptography;
using System.Text;
using AspireMmRag.VectorStore;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>
/// Deterministic record ids, so that writing the same content twice writes the same rows:
/// a passage is named by its document, revision, content hash and position; an image by its document, its bytes and every
/// field stored with it except its vector and revision (caption, attribution, title, section, file and description URLs,
/// licence, content type, document URL), so a change to any of them is a new record while an unchanged image survives a new
/// revision untouched. An image's record in <see cref="VectorCollection.Images"/> and in <see cref="VectorCollection.ImageCaptions"/>
/// share its id.
/// </summary>
public static class RecordIds
{
    public static string Passage(string documentId, string revision, string contentHash, int chunkIndex) =>
        "p_" + Hash($"{documentId}\n{revision}\n{contentHash}\n{chunkIndex}");

    public static string Image(ImageRecord image) =>
        "i_" + Hash(string.Join('\n', Length(image.DocumentId), Length(image.MediaRef), Length(image.Caption), Length(image.Attribution),
            Length(image.Title), Length(image.Section), Length(image.SourceUrl), Length(image.DescriptionUrl), Length(image.License),
            Length(image.MimeType), Length(image.Url)));

    /// <summary>A field with its length in front, so that no two different sets of fields hash the same text.</summary>
    private static string Length(string value) => $"{value.Length}:{value}";

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
