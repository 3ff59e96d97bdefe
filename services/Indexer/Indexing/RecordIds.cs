using System.Security.Cryptography;
using System.Text;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>
/// Deterministic record ids, so that writing the same content twice writes the same rows:
/// a passage is named by its document, revision, content hash and position; an image by its document, its bytes and the
/// text shown with it (so a changed caption is a new record, an unchanged image survives a new revision untouched).
/// </summary>
public static class RecordIds
{
    public static string Passage(string documentId, string revision, string contentHash, int chunkIndex) =>
        "p_" + Hash($"{documentId}\n{revision}\n{contentHash}\n{chunkIndex}");

    public static string Image(string documentId, string mediaRef, string caption, string attribution) =>
        "i_" + Hash($"{documentId}\n{mediaRef}\n{caption}\n{attribution}");

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..40];
}
