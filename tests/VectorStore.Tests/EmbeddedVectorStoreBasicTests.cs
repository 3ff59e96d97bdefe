using AspireMmRag.VectorStore.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.VectorStore.Tests;

public sealed class EmbeddedVectorStoreBasicTests : IDisposable
{
    private const int Dimension = 32;
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EmbeddedTestDirectory _directory = new();
    private readonly EmbeddedTestData _data = new(Dimension);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Upserted_passages_are_found_with_their_fields_and_cosine_scores()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        var rows = Enumerable.Range(0, 50).Select(i => EmbeddedTestData.Passage($"p{i}", _data.Vector(), $"doc-{i % 5}")).ToList();
        await store.UpsertPassagesAsync(rows, None);

        var hits = await store.SearchPassagesAsync(rows[17].Vector, new VectorSearchOptions { TopK = 5 }, None);

        Assert.Equal(5, hits.Count);
        Assert.Equal("p17", hits[0].Record.Id);
        Assert.Equal(1f, hits[0].Score, 3);
        Assert.Equal(rows[17] with { Vector = [] }, hits[0].Record);
        Assert.Equal(EmbeddedTestData.ExactTopK(rows, rows[17].Vector, 5), hits.Select(h => h.Record.Id));
        Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public async Task Images_are_a_separate_collection()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        var vector = _data.Vector();
        await store.UpsertImagesAsync([EmbeddedTestData.Image("i1", vector)], None);

        var images = await store.SearchImagesAsync(vector, new VectorSearchOptions(), None);
        var passages = await store.SearchPassagesAsync(vector, new VectorSearchOptions(), None);

        var hit = Assert.Single(images);
        Assert.Equal("media/i1.png", hit.Record.MediaRef);
        Assert.Equal("Caption of i1", hit.Record.Caption);
        Assert.Empty(passages);
        Assert.Equal(1, await store.CountAsync(VectorCollection.Images, null, None));
        Assert.Equal(0, await store.CountAsync(VectorCollection.Passages, null, None));
    }

    [Fact]
    public async Task Filters_and_min_score_apply()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        var rows = Enumerable.Range(0, 60)
            .Select(i => EmbeddedTestData.Passage($"p{i}", _data.Vector(), $"doc-{i % 3}", i % 2 == 0 ? "wiki" : "local"))
            .ToList();
        await store.UpsertPassagesAsync(rows, None);
        var query = rows[0].Vector;

        var byDocument = await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 100, DocumentIds = ["doc-1"] }, None);
        var bySource = await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 100, Sources = ["local"] }, None);
        var both = await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 100, DocumentIds = ["doc-1"], Sources = ["local"] }, None);
        var unknown = await store.SearchPassagesAsync(query, new VectorSearchOptions { DocumentIds = ["nope"] }, None);
        var close = await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 100, MinScore = 0.3f }, None);

        Assert.Equal(20, byDocument.Count);
        Assert.All(byDocument, h => Assert.Equal("doc-1", h.Record.DocumentId));
        Assert.Equal(30, bySource.Count);
        Assert.All(bySource, h => Assert.Equal("local", h.Record.Source));
        Assert.Equal(10, both.Count);
        Assert.All(both, h => Assert.True(h.Record.DocumentId == "doc-1" && h.Record.Source == "local"));
        Assert.Empty(unknown);
        Assert.NotEmpty(close);
        Assert.All(close, h => Assert.True(h.Score >= 0.3f));
        Assert.Equal(rows.Count(r => System.Numerics.Tensors.TensorPrimitives.Dot(r.Vector, query) >= 0.3f), close.Count);
    }

    [Fact]
    public async Task Upsert_of_an_existing_id_replaces_the_row()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        var oldVector = _data.Vector();
        var newVector = _data.Vector();
        await store.UpsertPassagesAsync([EmbeddedTestData.Passage("p1", oldVector, revision: "r1"), EmbeddedTestData.Passage("p2", _data.Vector())], None);
        await store.UpsertPassagesAsync([EmbeddedTestData.Passage("p1", newVector, revision: "r2")], None);

        var byOld = await store.SearchPassagesAsync(oldVector, new VectorSearchOptions { TopK = 10 }, None);
        var byNew = await store.SearchPassagesAsync(newVector, new VectorSearchOptions { TopK = 1 }, None);

        Assert.Equal(2, byOld.Count);
        Assert.Single(byOld, h => h.Record.Id == "p1");
        Assert.Equal("r2", byOld.Single(h => h.Record.Id == "p1").Record.Revision);
        Assert.Equal("p1", byNew[0].Record.Id);
        Assert.Equal("r2", byNew[0].Record.Revision);
        Assert.Equal(1f, byNew[0].Score, 3);
        Assert.Equal(2, await store.CountAsync(VectorCollection.Passages, null, None));
    }

    [Fact]
    public async Task Duplicate_ids_in_one_upsert_keep_the_last()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        var last = _data.Vector();
        await store.UpsertPassagesAsync([EmbeddedTestData.Passage("p1", _data.Vector(), revision: "a"), EmbeddedTestData.Passage("p1", last, revision: "b")], None);

        var hit = Assert.Single(await store.SearchPassagesAsync(last, new VectorSearchOptions(), None));
        Assert.Equal("b", hit.Record.Revision);
        Assert.Equal(1, await store.CountAsync(VectorCollection.Passages, null, None));
    }

    [Fact]
    public async Task Delete_by_ids_and_by_document_remove_rows_from_search_and_counts()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        var rows = Enumerable.Range(0, 30).Select(i => EmbeddedTestData.Passage($"p{i}", _data.Vector(), $"doc-{i % 3}")).ToList();
        await store.UpsertPassagesAsync(rows, None);
        await store.UpsertImagesAsync([EmbeddedTestData.Image("i1", _data.Vector(), "doc-2"), EmbeddedTestData.Image("i2", _data.Vector(), "doc-0")], None);

        Assert.Equal(2, await store.DeleteAsync(VectorCollection.Passages, ["p0", "p3", "missing"], None));
        Assert.Equal(0, await store.DeleteAsync(VectorCollection.Passages, ["p0"], None));
        Assert.Equal(11, await store.DeleteDocumentAsync("doc-2", None));

        Assert.Equal(["p12", "p15", "p18", "p21", "p24", "p27", "p6", "p9"], await store.ListIdsAsync(VectorCollection.Passages, "doc-0", None));
        Assert.Empty(await store.ListIdsAsync(VectorCollection.Passages, "doc-2", None));
        Assert.Equal(18, await store.CountAsync(VectorCollection.Passages, null, None));
        Assert.Equal(8, await store.CountAsync(VectorCollection.Passages, "doc-0", None));
        Assert.Equal(0, await store.CountAsync(VectorCollection.Passages, "doc-2", None));
        Assert.Equal(1, await store.CountAsync(VectorCollection.Images, null, None));
        var all = await store.SearchPassagesAsync(rows[0].Vector, new VectorSearchOptions { TopK = 100 }, None);
        Assert.Equal(18, all.Count);
        Assert.DoesNotContain(all, h => h.Record.Id is "p0" or "p3" || h.Record.DocumentId == "doc-2");
    }

    [Fact]
    public async Task Vectors_of_the_wrong_length_or_with_NaN_are_rejected_and_nothing_is_written()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        var good = EmbeddedTestData.Passage("good", _data.Vector());

        var wrongLength = await Assert.ThrowsAsync<ArgumentException>(
            () => store.UpsertPassagesAsync([good, EmbeddedTestData.Passage("short", new float[Dimension - 1])], None));
        var nan = _data.Vector();
        nan[5] = float.NaN;
        var withNaN = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertPassagesAsync([EmbeddedTestData.Passage("nan", nan)], None));
        var infinite = _data.Vector();
        infinite[0] = float.PositiveInfinity;
        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertPassagesAsync([EmbeddedTestData.Passage("inf", infinite)], None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertPassagesAsync([EmbeddedTestData.Passage("zero", new float[Dimension])], None));
        var badQuery = await Assert.ThrowsAsync<ArgumentException>(() => store.SearchPassagesAsync(new float[Dimension + 1], new VectorSearchOptions(), None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SearchPassagesAsync(_data.Vector(), new VectorSearchOptions { TopK = 0 }, None));

        Assert.Contains($"{Dimension - 1} dimensions", wrongLength.Message);
        Assert.Contains($"has {Dimension}", wrongLength.Message);
        Assert.Contains("NaN", withNaN.Message);
        Assert.Contains($"{Dimension + 1} dimensions", badQuery.Message);
        Assert.Equal(0, await store.CountAsync(VectorCollection.Passages, null, None));
    }

    [Fact]
    public async Task EnsureCollections_with_another_dimension_is_an_error()
    {
        await using (var store = await _directory.OpenAsync(Dimension))
        {
            await store.EnsureCollectionsAsync(new CollectionDimensions(Dimension, Dimension), None);
            await Assert.ThrowsAsync<VectorStoreException>(() => store.EnsureCollectionsAsync(new CollectionDimensions(Dimension, 16), None));
        }
        await using var reopened = new EmbeddedVectorStore(_directory.Options());
        var error = await Assert.ThrowsAsync<VectorStoreException>(() => reopened.EnsureCollectionsAsync(new CollectionDimensions(64, Dimension), None));
        Assert.Contains("32-dimensional", error.Message);
    }

    [Fact]
    public async Task Operations_before_EnsureCollections_fail_clearly()
    {
        await using var store = new EmbeddedVectorStore(_directory.Options());
        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.SearchPassagesAsync(_data.Vector(), new VectorSearchOptions(), None));
        Assert.Contains("EnsureCollectionsAsync", error.Message);
    }

    [Fact]
    public async Task A_reader_refuses_writes_and_a_second_writer_is_refused()
    {
        await using var writer = await _directory.OpenAsync(Dimension);
        await using var reader = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader);

        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.UpsertPassagesAsync([EmbeddedTestData.Passage("p", _data.Vector())], None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.DeleteDocumentAsync("doc-1", None));
        await using var second = new EmbeddedVectorStore(_directory.Options());
        await Assert.ThrowsAsync<VectorStoreException>(() => second.EnsureCollectionsAsync(new CollectionDimensions(Dimension, Dimension), None));
    }

    [Fact]
    public async Task Cancelled_operations_throw()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.UpsertPassagesAsync([EmbeddedTestData.Passage("p", _data.Vector())], cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SearchPassagesAsync(_data.Vector(), new VectorSearchOptions(), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.CountAsync(VectorCollection.Passages, null, cancelled.Token));
        Assert.Equal(0, await store.CountAsync(VectorCollection.Passages, null, None));
    }

    [Fact]
    public async Task The_DI_extension_registers_the_store_as_the_IVectorStore_singleton()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["VectorStore:Embedded:Directory"] = _directory.Path,
            ["VectorStore:Embedded:ExactScanThreshold"] = "1000",
            ["VectorStore:Embedded:Hnsw:ExpansionSearch"] = "64",
            ["VectorStore:Embedded:SnapshotInterval"] = "00:00:05",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddEmbeddedVectorStore(configuration.GetSection("VectorStore:Embedded"));
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IVectorStore>();
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<EmbeddedVectorStoreOptions>>().Value;

        Assert.Same(provider.GetRequiredService<EmbeddedVectorStore>(), store);
        Assert.Equal(1000, options.ExactScanThreshold);
        Assert.Equal(64, options.Hnsw.ExpansionSearch);
        Assert.Equal(TimeSpan.FromSeconds(5), options.SnapshotInterval);
        await store.EnsureCollectionsAsync(new CollectionDimensions(Dimension, Dimension), None);
        await store.UpsertPassagesAsync([EmbeddedTestData.Passage("p", _data.Vector())], None);
        Assert.Equal(1, await store.CountAsync(VectorCollection.Passages, null, None));
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new EmbeddedVectorStore(new EmbeddedVectorStoreOptions()));
        var services = new ServiceCollection().AddEmbeddedVectorStore(o => o.Directory = "");
        using var provider = services.BuildServiceProvider();
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<IVectorStore>());
    }
}
