using System.Collections.Concurrent;
using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Tests;

public sealed class EmbeddedVectorStoreConcurrencyTests : IDisposable
{
    private const int Dimension = 64;
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EmbeddedTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Parallel_searches_during_upserts_indexing_and_snapshots_do_not_throw()
    {
        var data = new EmbeddedTestData(Dimension, seed: 21);
        await using var writer = await _directory.OpenAsync(Dimension, exactScanThreshold: 300,
            configure: o => o.SnapshotInterval = TimeSpan.FromMilliseconds(100));
        await using var reader = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader, exactScanThreshold: 300);
        var batches = Enumerable.Range(0, 30)
            .Select(b => Enumerable.Range(0, 100).Select(i => EmbeddedTestData.Passage($"p{b}-{i}", data.Vector(), $"doc-{b % 7}", i % 2 == 0 ? "a" : "b")).ToList())
            .ToList();
        var queries = Enumerable.Range(0, 50).Select(_ => data.Vector()).ToList();
        var errors = new ConcurrentQueue<Exception>();
        var missed = 0;
        using var done = new CancellationTokenSource();

        var upserts = Task.Run(async () =>
        {
            try
            {
                foreach (var batch in batches)
                {
                    await writer.UpsertPassagesAsync(batch, None);
                    // Every upserted row is visible to the next search.
                    var hits = await writer.SearchPassagesAsync(batch[^1].Vector, new VectorSearchOptions { TopK = 1 }, None);
                    if (hits.Count == 0 || hits[0].Record.Id != batch[^1].Id)
                    {
                        Interlocked.Increment(ref missed);
                    }
                    if (batch[0].Id.StartsWith("p1", StringComparison.Ordinal))
                    {
                        await writer.DeleteDocumentAsync("doc-3", None);
                    }
                }
            }
            finally
            {
                await done.CancelAsync();
            }
        });
        var searches = Enumerable.Range(0, 6).Select(t => Task.Run(async () =>
        {
            var store = t % 2 == 0 ? writer : reader;
            var i = 0;
            while (!done.IsCancellationRequested)
            {
                try
                {
                    var options = (i % 3) switch
                    {
                        0 => new VectorSearchOptions { TopK = 10 },
                        1 => new VectorSearchOptions { TopK = 5, DocumentIds = ["doc-2"] },
                        _ => new VectorSearchOptions { TopK = 20, Sources = ["a"], MinScore = 0.1f },
                    };
                    await store.SearchPassagesAsync(queries[i++ % queries.Count], options, None);
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                }
            }
        })).ToList();

        await upserts;
        await Task.WhenAll(searches);

        Assert.Empty(errors);
        Assert.Equal(0, missed);
        await EmbeddedVectorStoreAnnTests.WaitForIndexAsync(writer);
        var expected = batches.SelectMany(b => b).Count(r => r.DocumentId != "doc-3" || r.Id.StartsWith("p2", StringComparison.Ordinal));
        Assert.Equal(expected, await writer.CountAsync(VectorCollection.Passages, null, None));
        await reader.RefreshAsync(None);
        Assert.Equal(expected, reader.GetStatistics(VectorCollection.Passages)!.Rows);
    }
}
