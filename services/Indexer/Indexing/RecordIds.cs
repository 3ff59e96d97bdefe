using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AspireMmRag.VectorStore;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>
/// Deterministic record ids, so that writing the same content twice writes the same rows and anything that changes what a
/// row holds changes its id:
/// a passage by its document, its position and every field stored with it except its vector and revision (its own text —
/// what the chunker settings decide —, section, title, URL, source) and the passage version of <see cref="IndexingVersion"/>
/// (the passage model), so a passage is unchanged exactly when what it holds and the model that embedded it are; an image by its document, its bytes, every field stored with it except its vector and revision
/// (caption, attribution, title, section, file and description URLs, licence, content type, document URL) and the image
/// version (CLIP and passage model: the CLIP row and the caption row), so a change to any of them is a new record while an
/// unchanged image survives a new revision untouched. An image's record in <see cref="VectorCollection.Images"/> and in
/// <see cref="VectorCollection.ImageCaptions"/> share its id.
/// </summary>
public static class RecordIds
{
    public static string Passage(PassageRecord passage, string version) =>
        "p_" + Hash(string.Join('\n', Length(passage.DocumentId), passage.ChunkIndex.ToString(CultureInfo.InvariantCulture), Length(passage.Text),
            Length(passage.Section), Length(passage.Title), Length(passage.Url), Length(passage.Source), Length(version)));

    public static string Image(ImageRecord image, string version) =>
        "i_" + Hash(string.Join('\n', Length(image.DocumentId), Length(image.MediaRef), Length(image.Caption), Length(image.Attribution),
            Length(image.Title), Length(image.Section), Length(image.SourceUrl), Length(image.DescriptionUrl), Length(image.License),
            Length(image.MimeType), Length(image.Url), Length(version)));

    /// <summary>A field with its length in front, so that no two different sets of fields hash the same text.</summary>
    private static string Length(string value) => $"{value.Length.ToString(CultureInfo.InvariantCulture)}:{value}";

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
