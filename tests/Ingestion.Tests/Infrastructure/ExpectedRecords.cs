using AspireMmRag.Indexer.Chunking;
using AspireMmRag.Indexer.Indexing;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Ingestion.Tests.Infrastructure;

/// <summary>The passage ids the indexer must hold for a document (its chunker, its id rules), and waiting for conditions.</summary>
public static class ExpectedRecords
{
    public static string[] PassageIds(DocumentCrawled document, ChunkingOptions? chunking = null, string passageModel = IndexingVersions.DefaultVocabularyModel)
    {
        var chunker = new TextChunker(Options.Create(chunking ?? new ChunkingOptions()));
        return PassageRecords.For(document, chunker.Chunk(document.Title, document.Sections), IndexingVersion.For(passageModel, "").Passages)
            .Select(passage => passage.Id).Order(StringComparer.Ordinal).ToArray();
    }

    public static async Task<string[]> StoredPassageIdsAsync(IVectorStore store, string documentId) =>
        (await store.ListIdsAsync(VectorCollection.Passages, documentId, default)).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Waits until the passages stored for the document are exactly <paramref name="expected"/>.</summary>
    public static Task PassagesAreAsync(IVectorStore store, string documentId, string[] expected, TimeSpan? timeout = null) =>
        EventuallyAsync(async () => (await StoredPassageIdsAsync(store, documentId)).SequenceEqual(expected), timeout,
            async () => $"stored {string.Join(",", await StoredPassageIdsAsync(store, documentId))}, expected {string.Join(",", expected)}");

    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, Func<Task<string>>? describe = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The condition did not become true in time{(describe is null ? "" : ": " + await describe())}.");
            }
            await Task.Delay(200);
        }
    }
}
