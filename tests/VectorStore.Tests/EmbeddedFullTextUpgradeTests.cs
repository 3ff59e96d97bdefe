using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>The full-text index across processes and versions: a reader finds what the writer committed once it has
/// replayed it (as for vectors), and a database written before full-text search gets its index from the writer.</summary>
public sealed class EmbeddedFullTextUpgradeTests : IDisposable
{
    private const int Dimension = 16;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly VectorSearchOptions Top10 = new() { TopK = 10 };
    private readonly EmbeddedTestDirectory _directory = new();
    private readonly EmbeddedTestData _data = new(Dimension, seed: 9);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_reader_finds_the_writers_keywords_when_it_finds_their_vectors()
    {
        await using var writer = await _directory.OpenAsync(Dimension);
        await using var reader = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader,
            configure: o => o.ReaderPollInterval = TimeSpan.FromHours(1));
        var row = Passage("p1", "The lighthouse of Alexandria.");

        await writer.UpsertPassagesAsync([row, Passage("p2", "A harbour.")], None);
        await AssertSameVisibilityAsync(reader, row.Vector, "lighthouse", "p1");
        await reader.RefreshAsync(None);
        Assert.Equal("p1", Assert.Single(await reader.SearchPassagesByTextAsync("lighthouse", Top10, None)).Record.Id);
        var hybrid = await reader.SearchPassagesHybridAsync(row.Vector, "lighthouse", Top10, HybridSearchOptions.Default, None);
        Assert.Equal(("p1", 1, 1), (hybrid.Hits[0].Record.Id, hybrid.Hits[0].DenseRank, hybrid.Hits[0].TextRank));

        var replacement = row with { Text = "The Pharos of Alexandria.", Revision = "r2", Vector = _data.Vector() };
        await writer.UpsertPassagesAsync([replacement], None);
        await writer.DeleteAsync(VectorCollection.Passages, ["p2"], None);
        // The replaced and deleted rows are gone at once (as for vectors); the new text shows with the new vector.
        Assert.Empty(await reader.SearchPassagesByTextAsync("lighthouse harbour", Top10, None));
        await AssertSameVisibilityAsync(reader, replacement.Vector, "pharos", "p1");
        await reader.RefreshAsync(None);
        var replaced = Assert.Single(await reader.SearchPassagesByTextAsync("lighthouse harbour pharos", Top10, None));
        Assert.Equal(("p1", "r2"), (replaced.Record.Id, replaced.Record.Revision));
        Assert.Single(await reader.SearchPassagesByTextAsync("pharos", Top10 with { DocumentIds = ["doc-1"], Sources = ["wiki"] }, None));
        Assert.Empty(await reader.SearchPassagesByTextAsync("pharos", Top10 with { DocumentIds = ["doc-2"] }, None));
    }

    [Fact]
    public async Task A_reader_with_RefreshOnSearch_finds_new_keywords_at_once()
    {
        await using var writer = await _directory.OpenAsync(Dimension);
        await using var reader = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader,
            configure: o => { o.ReaderPollInterval = TimeSpan.FromHours(1); o.RefreshOnSearch = true; });

        await writer.UpsertPassagesAsync([Passage("p1", "Colossus of Rhodes.")], None);

        Assert.Equal("p1", Assert.Single(await reader.SearchPassagesByTextAsync("rhodes", Top10, None)).Record.Id);
    }

    [Fact]
    public async Task A_database_without_the_index_gets_it_from_its_writer_and_readers_find_nothing_until_then()
    {
        var rows = Enumerable.Range(0, 30).Select(i => Passage($"p{i}", i == 7 ? "The Hanging Gardens of Babylon." : $"Passage number {i}.")).ToList();
        await using (var original = await _directory.OpenAsync(Dimension))
        {
            await original.UpsertPassagesAsync(rows, None);
            await original.DeleteAsync(VectorCollection.Passages, ["p3"], None);
        }
        EmbeddedFullTextDatabase.Remove(_directory.Path);

        await using var reader = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader,
            configure: o => o.ReaderPollInterval = TimeSpan.FromHours(1));
        Assert.False(EmbeddedFullTextDatabase.Exists(_directory.Path));
        Assert.Empty(await reader.SearchPassagesByTextAsync("babylon", Top10, None));
        var denseOnly = await reader.SearchPassagesHybridAsync(rows[7].Vector, "babylon", Top10, HybridSearchOptions.Default, None);
        Assert.Equal(("p7", null), (denseOnly.Hits[0].Record.Id, denseOnly.Hits[0].TextRank));

        await using var writer = await _directory.OpenAsync(Dimension);
        Assert.Equal(29, EmbeddedFullTextDatabase.IndexedRows(_directory.Path));
        EmbeddedFullTextDatabase.AssertIntegrity(_directory.Path);
        Assert.Equal("p7", Assert.Single(await writer.SearchPassagesByTextAsync("babylon", Top10, None)).Record.Id);
        Assert.Equal("p7", Assert.Single(await reader.SearchPassagesByTextAsync("babylon", Top10, None)).Record.Id);

        // Later writes keep it in step; reopening does not rebuild or duplicate it.
        await writer.UpsertPassagesAsync([Passage("p30", "Babylon again.")], None);
        await writer.DisposeAsync();
        await using var reopened = await _directory.OpenAsync(Dimension);
        Assert.Equal(30, EmbeddedFullTextDatabase.IndexedRows(_directory.Path));
        EmbeddedFullTextDatabase.AssertIntegrity(_directory.Path);
        Assert.Equal(["p30", "p7"], (await reopened.SearchPassagesByTextAsync("babylon", Top10, None)).Select(h => h.Record.Id).Order());
    }

    /// <summary>A reader that has not replayed a write finds its row neither way, one that has finds it both ways. Its
    /// background task may replay at any moment, so each check only asserts "the first implies the second".</summary>
    private static async Task AssertSameVisibilityAsync(EmbeddedVectorStore reader, float[] vector, string word, string id)
    {
        var byText = (await reader.SearchPassagesByTextAsync(word, Top10, None)).Any(h => h.Record.Id == id);
        var byVector = (await reader.SearchPassagesAsync(vector, new VectorSearchOptions { TopK = 1 }, None)).Any(h => h.Record.Id == id);
        Assert.True(!byText || byVector, "found by keyword before its vector");
        byVector = (await reader.SearchPassagesAsync(vector, new VectorSearchOptions { TopK = 1 }, None)).Any(h => h.Record.Id == id);
        byText = (await reader.SearchPassagesByTextAsync(word, Top10, None)).Any(h => h.Record.Id == id);
        Assert.True(!byVector || byText, "found by vector before its keyword");
    }

    private PassageRecord Passage(string id, string text) =>
        EmbeddedTestData.Passage(id, _data.Vector()) with { Title = "", Section = "", Text = text };
}
