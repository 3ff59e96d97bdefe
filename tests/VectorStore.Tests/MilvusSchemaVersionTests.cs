using AspireMmRag.VectorStore.Milvus;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>The passages collection with full-text fields is a new collection (passages_v2): an older one is refused by
/// name with a clear error, and the previous default collection is reported when it still exists.</summary>
public sealed class MilvusSchemaVersionTests
{
    [Fact]
    public async Task A_passages_collection_without_the_full_text_fields_is_refused_with_a_re_index_hint()
    {
        await using var context = await OldPassagesAsync("wiki_passages");
        var log = new LogRecorder<MilvusVectorStore>();
        var store = context.CreateStore(o => o.PassagesCollection = "wiki_passages", log);

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None));

        Assert.Contains("'wiki_passages'", error.Message);
        Assert.Contains("'search_text', 'text_sparse'", error.Message);
        Assert.Contains("cannot add a BM25 function to an existing collection", error.Message);
        Assert.Contains("'passages_v2'", error.Message);
        Assert.Contains("re-index (re-crawl)", error.Message);
        Assert.Empty(context.Server.RequestsTo("collections/load"));
        Assert.Empty(context.Server.RequestsTo("collections/create"));
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("wiki_passages", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Text_and_hybrid_search_on_an_old_collection_fail_with_the_same_error_before_searching()
    {
        await using var context = await OldPassagesAsync("wiki_passages");

        var text = await Assert.ThrowsAsync<VectorStoreException>(() => context.CreateStore(o => o.PassagesCollection = "wiki_passages")
            .SearchPassagesByTextAsync("river", new VectorSearchOptions(), CancellationToken.None));
        var hybrid = await Assert.ThrowsAsync<VectorStoreException>(() => context.CreateStore(o => o.PassagesCollection = "wiki_passages")
            .SearchPassagesHybridAsync([1, 0, 0, 0], "river", new VectorSearchOptions(), HybridSearchOptions.Default, CancellationToken.None));

        Assert.All(new[] { text, hybrid }, e => Assert.Contains("BM25", e.Message));
        Assert.Empty(context.Server.RequestsTo("entities/search"));
        Assert.Empty(context.Server.RequestsTo("entities/hybrid_search"));
    }

    [Fact]
    public async Task The_previous_default_collection_is_reported_and_left_alone_while_passages_v2_is_created()
    {
        await using var context = await OldPassagesAsync(MilvusOptions.LegacyPassagesCollection);
        var log = new LogRecorder<MilvusVectorStore>();

        await context.CreateStore(logger: log).EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);

        Assert.True(context.Server.HasCollection("passages_v2"));
        Assert.Equal(1, context.Server.RowCount("passages"));
        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("passages is from before full-text search", warning.Message);
        Assert.Contains("passages_v2", warning.Message);
        Assert.Contains("Re-index (re-crawl)", warning.Message);
    }

    [Fact]
    public async Task No_report_without_the_previous_collection_or_with_a_configured_name()
    {
        await using var context = await OldPassagesAsync(MilvusOptions.LegacyPassagesCollection);
        var custom = new LogRecorder<MilvusVectorStore>();
        await context.CreateStore(o => o.PassagesCollection = "mine", custom).EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);
        await using var fresh = await MilvusTestContext.StartAsync();
        var clean = new LogRecorder<MilvusVectorStore>();
        await fresh.CreateStore(logger: clean).EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);

        Assert.DoesNotContain(custom.Entries, e => e.Level >= LogLevel.Warning);
        Assert.DoesNotContain(clean.Entries, e => e.Level >= LogLevel.Warning);
    }

    /// <summary>A fake with collections made by this store, then the passages collection stripped of its full-text
    /// fields (one row kept), as the store before full-text search created it.</summary>
    private static async Task<MilvusTestContext> OldPassagesAsync(string passages)
    {
        var context = await MilvusTestContext.StartAsync(o => o.PassagesCollection = passages);
        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);
        await context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("old", [1, 0, 0, 0])], CancellationToken.None);
        context.Server.DropFields(passages, "search_text", "text_sparse");
        context.Server.ClearRequests();
        return context;
    }
}
