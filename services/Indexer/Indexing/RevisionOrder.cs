using System.Globalization;
using AspireMmRag.Messaging;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>
/// Whether a crawled document is older than what the indexer has applied (<see cref="DocumentState"/>): crawled no later
/// than the document's last delete; a MediaWiki revision id (a number) lower than the indexed one; otherwise (folder
/// documents, whose revision is a content hash) crawled before the indexed revision was. The same revision again, or a
/// later one, is never superseded.
/// </summary>
public static class RevisionOrder
{
    /// <summary>Why <paramref name="document"/> is superseded, or null when it is to be indexed.</summary>
    public static string? Superseded(DocumentCrawled document, DocumentState? applied)
    {
        if (applied is null)
        {
            return null;
        }
        if (applied.DeletedAt is { } deletedAt && document.CrawledAt <= deletedAt)
        {
            return $"the document was deleted at {deletedAt:O}, after this crawl at {document.CrawledAt:O}";
        }
        if (applied.Revision.Length == 0)
        {
            return null;
        }
        if (document.Source == DocumentSources.Wikipedia && Number(document.Revision) is { } revision && Number(applied.Revision) is { } indexed)
        {
            return revision < indexed ? $"revision {revision} is older than the indexed revision {indexed}" : null;
        }
        return document.CrawledAt < applied.CrawledAt
            ? $"crawled at {document.CrawledAt:O}, before the indexed revision (crawled at {applied.CrawledAt:O})"
            : null;
    }

    private static long? Number(string revision) =>
        long.TryParse(revision, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
