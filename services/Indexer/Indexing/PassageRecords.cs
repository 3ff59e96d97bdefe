using AspireMmRag.Indexer.Chunking;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>The passage records of a document's chunks, without vectors, with ids by <see cref="RecordIds.Passage"/> and the
/// passage version of <see cref="IndexingVersion"/>.</summary>
public static class PassageRecords
{
    public static List<PassageRecord> For(DocumentCrawled document, IReadOnlyList<TextChunk> chunks, string passageVersion) =>
        chunks.Select(chunk => new PassageRecord
        {
            Id = "",
            DocumentId = document.DocumentId,
            Source = document.Source,
            Title = document.Title,
            Url = document.Url,
            Section = chunk.Section,
            ChunkIndex = chunk.Index,
            Text = chunk.Text,
            Revision = document.Revision,
        }).Select(passage => passage with { Id = RecordIds.Passage(passage, passageVersion) }).ToList();
}
