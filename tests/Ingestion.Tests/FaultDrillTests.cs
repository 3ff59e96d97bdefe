using System.Diagnostics;
using AspireMmRag.Ingestion.Tests.Infrastructure;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;
using Xunit.Abstractions;

namespace AspireMmRag.Ingestion.Tests;

/// <summary>
/// The fault drill: 200 generated documents through a real broker while the indexer is killed (-9) three times and the
/// broker is restarted once → exactly 200 documents, every one with exactly its passages (none duplicated, none missing),
/// nothing in the error queues; the same ingest again → every document unchanged, nothing written.
/// </summary>
[Collection(IngestionCollection.Name)]
public sealed class FaultDrillTests(ITestOutputHelper output)
{
    private const int Documents = 200;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Two_hundred_documents_survive_three_indexer_kills_and_a_broker_restart_exactly_once()
    {
        var clock = Stopwatch.StartNew();
        await using var broker = new RestartableBroker();
        await broker.StartAsync();
        await using var pipeline = await IngestionEnvironment.StartAsync(broker.ConnectionString);
        var run = Guid.NewGuid().ToString("N")[..8];
        var documents = Enumerable.Range(0, Documents).Select(i => TestDocuments.Create($"drill:{run}:{i:D3}", paragraphs: 2)).ToArray();
        var expected = documents.ToDictionary(d => d.DocumentId, d => ExpectedRecords.PassageIds(d));
        var total = expected.Values.Sum(ids => ids.Length);
        var store = pipeline.OpenReader();
        var started = clock.Elapsed;

        await PublishAllAsync(pipeline, documents);
        await PassagesReachAsync(store, total / 5);
        await pipeline.RestartIndexerAsync(); // kill -9, start again
        await PassagesReachAsync(store, total * 2 / 5);
        await broker.RestartAsync();
        await PassagesReachAsync(store, total * 3 / 5);
        await pipeline.RestartIndexerAsync();
        await PassagesReachAsync(store, total * 4 / 5);
        await pipeline.RestartIndexerAsync();

        await ExpectedRecords.EventuallyAsync(async () => await MismatchesAsync(store, expected) == 0, Timeout,
            async () => $"{await MismatchesAsync(store, expected)} documents without exactly their passages");
        var firstRound = clock.Elapsed - started;
        Assert.Equal(total, await store.CountAsync(VectorCollection.Passages, null, default));
        Assert.Equal(Documents, (await Task.WhenAll(documents.Select(d => store.CountAsync(VectorCollection.Passages, d.DocumentId, default)))).Count(n => n > 0));
        await ExpectedRecords.EventuallyAsync(async () => await pipeline.QueueLengthAsync("indexer-documents") == 0, Timeout);
        Assert.Equal(0u, await pipeline.QueueLengthAsync("indexer-documents_error"));
        Assert.Equal(0u, await pipeline.QueueLengthAsync("indexer-deletes_error"));

        // The same ingest again: every document unchanged, no passage embedded, the same rows.
        var progressBefore = pipeline.Events.All<DocumentIndexingProgress>().Count;
        var secondStart = DateTimeOffset.UtcNow;
        await PublishAllAsync(pipeline, documents);
        var again = await pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.IndexedAt >= secondStart && expected.ContainsKey(e.DocumentId), Timeout, Documents);
        var secondRound = DateTimeOffset.UtcNow - secondStart;

        Assert.Equal(Documents, again.Select(e => e.DocumentId).Distinct().Count());
        Assert.All(again, e => Assert.True(e.Unchanged, $"{e.DocumentId} was written again"));
        Assert.Equal(progressBefore, pipeline.Events.All<DocumentIndexingProgress>().Count);
        Assert.Equal(0, await MismatchesAsync(store, expected));
        Assert.Equal(0u, await pipeline.QueueLengthAsync("indexer-documents_error"));

        output.WriteLine($"fault drill: {Documents} documents, {total} passages; 3 indexer kills (-9) and 1 broker restart; " +
            $"first ingest {firstRound.TotalSeconds:F0} s, repeat {secondRound.TotalSeconds:F0} s (all unchanged, 0 passages embedded); " +
            $"0 duplicate, 0 missing, 0 in _error; whole test {clock.Elapsed.TotalSeconds:F0} s");
    }

    private static async Task PublishAllAsync(IngestionEnvironment pipeline, IReadOnlyList<DocumentCrawled> documents)
    {
        foreach (var batch in documents.Chunk(20))
        {
            await Task.WhenAll(batch.Select(pipeline.PublishAsync));
        }
    }

    private static Task PassagesReachAsync(IVectorStore store, int count) =>
        ExpectedRecords.EventuallyAsync(async () => await PassagesAsync(store) >= count, Timeout);

    /// <summary>Passages stored so far; 0 before the indexer has created the collection.</summary>
    private static async Task<long> PassagesAsync(IVectorStore store)
    {
        try
        {
            return await store.CountAsync(VectorCollection.Passages, null, default);
        }
        catch (VectorStoreException)
        {
            return 0;
        }
    }

    /// <summary>Documents whose stored passages are not exactly the expected ones (a duplicate, a missing or a stale one).</summary>
    private static async Task<int> MismatchesAsync(IVectorStore store, IReadOnlyDictionary<string, string[]> expected)
    {
        var mismatches = 0;
        foreach (var (id, ids) in expected)
        {
            if (!(await ExpectedRecords.StoredPassageIdsAsync(store, id)).SequenceEqual(ids))
            {
                mismatches++;
            }
        }
        return mismatches;
    }
}
