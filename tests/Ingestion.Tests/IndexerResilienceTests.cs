using AspireMmRag.Indexer.Chunking;
using AspireMmRag.Indexer.Indexing;
using AspireMmRag.Ingestion.Tests.Infrastructure;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Ingestion.Tests;

/// <summary>Crashes and outages: each test starts its own embedder and indexer processes on the shared broker.</summary>
[Collection(IngestionCollection.Name)]
public sealed class IndexerResilienceTests(IngestionFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task An_indexer_killed_mid_ingest_and_restarted_indexes_every_document_exactly_once()
    {
        await using var pipeline = await IngestionEnvironment.StartAsync(fixture.Broker,
            new Dictionary<string, string> { ["Indexing__PassageBatchSize"] = "2", ["Indexing__ConcurrentDocuments"] = "2" });
        var documents = Enumerable.Range(0, 10).Select(i => TestDocuments.Create($"test:crash:{Guid.NewGuid():N}", paragraphs: 10)).ToArray();

        foreach (var document in documents)
        {
            await pipeline.PublishAsync(document);
        }
        // Let it get part of the way, then kill it hard (no graceful shutdown, unacknowledged messages in flight).
        await pipeline.Events.WaitForAsync<DocumentIndexed>(e => documents.Any(d => d.DocumentId == e.DocumentId), Timeout, count: 2);
        await pipeline.Events.WaitForAsync<DocumentIndexingProgress>(p => documents.Any(d => d.DocumentId == p.DocumentId) && p.ChunksDone < p.ChunksTotal, Timeout);
        pipeline.Indexer!.Kill();
        var indexedBeforeCrash = pipeline.Events.All<DocumentIndexed>().Select(e => e.DocumentId).Distinct().Count(id => documents.Any(d => d.DocumentId == id));
        Assert.True(indexedBeforeCrash < documents.Length, "the crash should interrupt the ingest");

        await pipeline.StartIndexerAsync();
        await pipeline.Events.WaitForAsync<DocumentIndexed>(e => documents.Any(d => d.DocumentId == e.DocumentId), Timeout,
            count: documents.Length);
        await WaitForAllDistinctAsync(pipeline, documents);

        // Exactly once: each document holds exactly the passages its chunks produce, no duplicate, no leftover.
        var chunker = new TextChunker(Options.Create(new ChunkingOptions()));
        var version = IndexingVersion.For(IndexingVersions.DefaultVocabularyModel, "").Passages;
        var store = pipeline.OpenReader();
        foreach (var document in documents)
        {
            var expected = PassageRecords.For(document, chunker.Chunk(document.Title, document.Sections), version).Select(p => p.Id).Order().ToArray();
            await EventuallyAsync(async () => (await store.ListIdsAsync(VectorCollection.Passages, document.DocumentId, default)).Count == expected.Length);
            Assert.Equal(expected, (await store.ListIdsAsync(VectorCollection.Passages, document.DocumentId, default)).Order().ToArray());
            Assert.Equal(expected.Length, await store.CountAsync(VectorCollection.Passages, document.DocumentId, default));
        }
    }

    [Fact]
    public async Task An_embedder_outage_delays_documents_but_loses_none()
    {
        await using var pipeline = await IngestionEnvironment.StartAsync(fixture.Broker);
        pipeline.Embedder!.Kill();
        var id = $"test:outage:{Guid.NewGuid():N}";

        await pipeline.PublishAsync(TestDocuments.Create(id));
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.DoesNotContain(pipeline.Events.All<DocumentIndexed>(), e => e.DocumentId == id);

        await pipeline.RestartEmbedderAsync();
        var indexed = (await pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout)).Single();
        Assert.True(indexed.Chunks > 0);
        Assert.Equal(0u, await pipeline.QueueLengthAsync("indexer-documents_error"));
        Assert.Equal(indexed.Chunks, await pipeline.OpenReader().CountAsync(VectorCollection.Passages, id, default));
    }

    private static async Task WaitForAllDistinctAsync(IngestionEnvironment pipeline, IReadOnlyList<DocumentCrawled> documents)
    {
        await EventuallyAsync(() => Task.FromResult(
            documents.All(d => pipeline.Events.All<DocumentIndexed>().Any(e => e.DocumentId == d.DocumentId))));
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("The condition did not become true within 60 s.");
            }
            await Task.Delay(200);
        }
    }
}
