using System.Runtime.InteropServices;
using AspireMmRag.VectorStore.Embedded;
using Microsoft.Data.Sqlite;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>The image-captions collection, the image record's descriptive fields and databases from before them.</summary>
public sealed class EmbeddedImageCaptionTests : IDisposable
{
    private const int PassageDimension = 32;
    private const int ImageDimension = 16;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly CollectionDimensions Dimensions = new(PassageDimension, ImageDimension);
    private readonly EmbeddedTestDirectory _directory = new();
    private readonly EmbeddedTestData _passageData = new(PassageDimension, seed: 31);
    private readonly EmbeddedTestData _imageData = new(ImageDimension, seed: 32);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Captions_are_a_third_collection_with_the_passage_dimension()
    {
        await using var store = await OpenAsync();
        var captions = Enumerable.Range(0, 12)
            .Select(i => EmbeddedTestData.Image($"c{i}", _passageData.Vector(), $"doc-{i % 3}", i % 2 == 0 ? "wiki" : "local"))
            .ToList();
        await store.UpsertImageCaptionsAsync(captions, None);
        await store.UpsertImagesAsync([EmbeddedTestData.Image("i1", _imageData.Vector())], None);

        var hits = await store.SearchImageCaptionsAsync(captions[5].Vector, new VectorSearchOptions { TopK = 3 }, None);
        var filtered = await store.SearchImageCaptionsAsync(captions[0].Vector,
            new VectorSearchOptions { TopK = 12, DocumentIds = ["doc-1", "doc-2"], Sources = ["local"] }, None);

        Assert.Equal(3, hits.Count);
        Assert.Equal(captions[5] with { Vector = [] }, hits[0].Record);
        Assert.Equal(1f, hits[0].Score, 3);
        Assert.Equal(["c1", "c11", "c5", "c7"], filtered.Select(h => h.Record.Id).Order(StringComparer.Ordinal));
        Assert.Equal(PassageDimension, store.GetStatistics(VectorCollection.ImageCaptions)!.Dimension);
        Assert.Equal(12, await store.CountAsync(VectorCollection.ImageCaptions, null, None));
        Assert.Equal(4, await store.CountAsync(VectorCollection.ImageCaptions, "doc-1", None));
        Assert.Equal(1, await store.CountAsync(VectorCollection.Images, null, None));
        Assert.Equal(0, await store.CountAsync(VectorCollection.Passages, null, None));
        Assert.Equal(["c1", "c10", "c4", "c7"], await store.ListIdsAsync(VectorCollection.ImageCaptions, "doc-1", None));
        Assert.Equal(2, await store.DeleteAsync(VectorCollection.ImageCaptions, ["c1", "c4", "i1", "missing"], None));
        Assert.Equal(["c10", "c7"], await store.ListIdsAsync(VectorCollection.ImageCaptions, "doc-1", None));
        Assert.Equal(1, await store.CountAsync(VectorCollection.Images, null, None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertImageCaptionsAsync([EmbeddedTestData.Image("bad", _imageData.Vector())], None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.SearchImageCaptionsAsync(_imageData.Vector(), new VectorSearchOptions(), None));
    }

    [Fact]
    public async Task Image_fields_round_trip_in_both_image_collections_and_survive_a_reopen()
    {
        var image = EmbeddedTestData.Image("i1", _imageData.Vector()) with { License = "Public domain", MimeType = "image/jpeg", Section = "" };
        var caption = EmbeddedTestData.Image("i1", _passageData.Vector()) with { Title = "Helsinki", SourceUrl = "photos/harbour.jpg" };
        await using (var store = await OpenAsync())
        {
            await store.UpsertImagesAsync([image], None);
            await store.UpsertImageCaptionsAsync([caption], None);

            Assert.Equal(image with { Vector = [] }, Assert.Single(await store.SearchImagesAsync(image.Vector, new VectorSearchOptions(), None)).Record);
            Assert.Equal(caption with { Vector = [] }, Assert.Single(await store.SearchImageCaptionsAsync(caption.Vector, new VectorSearchOptions(), None)).Record);
        }

        await using var reopened = new EmbeddedVectorStore(_directory.Options());
        Assert.Equal(image with { Vector = [] }, Assert.Single(await reopened.SearchImagesAsync(image.Vector, new VectorSearchOptions(), None)).Record);
        Assert.Equal(caption with { Vector = [] }, Assert.Single(await reopened.SearchImageCaptionsAsync(caption.Vector, new VectorSearchOptions(), None)).Record);
    }

    [Fact]
    public async Task DeleteDocument_clears_passages_images_and_captions()
    {
        await using var store = await OpenAsync();
        await store.UpsertPassagesAsync(
            [EmbeddedTestData.Passage("p1", _passageData.Vector(), "a"), EmbeddedTestData.Passage("p2", _passageData.Vector(), "b")], None);
        await store.UpsertImagesAsync([EmbeddedTestData.Image("i1", _imageData.Vector(), "a"), EmbeddedTestData.Image("i2", _imageData.Vector(), "b")], None);
        await store.UpsertImageCaptionsAsync(
            [EmbeddedTestData.Image("i1", _passageData.Vector(), "a"), EmbeddedTestData.Image("i3", _passageData.Vector(), "a"), EmbeddedTestData.Image("i2", _passageData.Vector(), "b")],
            None);

        Assert.Equal(4, await store.DeleteDocumentAsync("a", None));

        foreach (var collection in Enum.GetValues<VectorCollection>())
        {
            Assert.Empty(await store.ListIdsAsync(collection, "a", None));
            Assert.Equal(1, await store.CountAsync(collection, "b", None));
        }
        Assert.DoesNotContain(await store.SearchImageCaptionsAsync(_passageData.Vector(), new VectorSearchOptions { TopK = 10 }, None), h => h.Record.DocumentId == "a");
    }

    [Fact]
    public async Task A_reader_sees_the_writers_caption_rows_and_their_index_snapshot()
    {
        await using var writer = await OpenAsync(exactScanThreshold: 200, configure: o => o.SnapshotInterval = TimeSpan.FromHours(1));
        var captions = Enumerable.Range(0, 400).Select(i => EmbeddedTestData.Image($"c{i}", _passageData.Vector(), $"doc-{i % 20}")).ToList();
        var images = Enumerable.Range(0, 400).Select(i => EmbeddedTestData.Image($"c{i}", _imageData.Vector(), $"doc-{i % 20}")).ToList();
        await writer.UpsertImageCaptionsAsync(captions, None);
        await writer.UpsertImagesAsync(images, None);
        await EmbeddedVectorStoreAnnTests.WaitForIndexAsync(writer);
        await writer.SaveSnapshotsAsync(None);

        var reader = new EmbeddedVectorStore(_directory.Options(VectorStoreRole.Reader, exactScanThreshold: 200));
        await using (reader)
        {
            Assert.Equal(captions[7] with { Vector = [] }, (await reader.SearchImageCaptionsAsync(captions[7].Vector, new VectorSearchOptions { TopK = 1 }, None))[0].Record);
            Assert.Equal(images[9] with { Vector = [] }, (await reader.SearchImagesAsync(images[9].Vector, new VectorSearchOptions { TopK = 1 }, None))[0].Record);
            var captionState = reader.GetStatistics(VectorCollection.ImageCaptions)!;
            var imageState = reader.GetStatistics(VectorCollection.Images)!;
            Assert.True(captionState.IndexIsView);
            Assert.Equal(400, captionState.IndexedVectors);
            Assert.Equal(PassageDimension, captionState.Dimension);
            Assert.True(imageState.IndexIsView);
            Assert.Equal(400, imageState.IndexedVectors);

            var late = EmbeddedTestData.Image("late", _passageData.Vector(), "doc-late");
            await writer.UpsertImageCaptionsAsync([late], None);
            await writer.DeleteDocumentAsync("doc-3", None);
            await reader.RefreshAsync(None);

            Assert.Equal("late", (await reader.SearchImageCaptionsAsync(late.Vector, new VectorSearchOptions { TopK = 1 }, None))[0].Record.Id);
            Assert.Equal(381, await reader.CountAsync(VectorCollection.ImageCaptions, null, None));
            Assert.Empty(await reader.SearchImageCaptionsAsync(captions[3].Vector, new VectorSearchOptions { TopK = 5, DocumentIds = ["doc-3"] }, None));
            Assert.DoesNotContain(await reader.SearchImageCaptionsAsync(captions[3].Vector, new VectorSearchOptions { TopK = 20 }, None), h => h.Record.DocumentId == "doc-3");
        }
        Assert.Single(Directory.EnumerateFiles(_directory.Path, "image_captions-*.usearch"));
        Assert.Single(Directory.EnumerateFiles(_directory.Path, "images-*.usearch"));
    }

    [Fact]
    public async Task A_database_from_before_the_new_image_columns_is_upgraded_on_open()
    {
        var old = _imageData.Vector();
        CreateOldDatabase(old);

        // A reader opening it first adds the columns too; the old row reads with empty new fields.
        await using (var reader = new EmbeddedVectorStore(_directory.Options(VectorStoreRole.Reader)))
        {
            var hit = Assert.Single(await reader.SearchImagesAsync(old, new VectorSearchOptions(), None));
            Assert.Equal(
                new ImageRecord
                {
                    Id = "old", DocumentId = "doc-old", Source = "wiki", MediaRef = "media/old.png", Caption = "An old caption",
                    Attribution = "CC0", Url = "https://example.org/old", Revision = "r1",
                },
                hit.Record);
        }

        await using var writer = await OpenAsync();
        var image = EmbeddedTestData.Image("new", _imageData.Vector(), "doc-new");
        await writer.UpsertImagesAsync([image], None);
        await writer.UpsertImageCaptionsAsync([EmbeddedTestData.Image("new", _passageData.Vector(), "doc-new")], None);

        Assert.Equal(image with { Vector = [] }, (await writer.SearchImagesAsync(image.Vector, new VectorSearchOptions { TopK = 1 }, None))[0].Record);
        Assert.Equal("", (await writer.SearchImagesAsync(old, new VectorSearchOptions { TopK = 1 }, None))[0].Record.MimeType);
        Assert.Equal(2, await writer.CountAsync(VectorCollection.Images, null, None));
        Assert.Equal(1, await writer.CountAsync(VectorCollection.ImageCaptions, null, None));
        Assert.Equal(1, await writer.DeleteDocumentAsync("doc-old", None));
        var columns = ImageColumns();
        Assert.All(new[] { "title", "section", "source_url", "description_url", "license", "mime_type" }, column => Assert.Contains(column, columns));
    }

    private async Task<EmbeddedVectorStore> OpenAsync(int exactScanThreshold = 20_000, Action<EmbeddedVectorStoreOptions>? configure = null)
    {
        var options = _directory.Options(exactScanThreshold: exactScanThreshold);
        configure?.Invoke(options);
        var store = new EmbeddedVectorStore(options);
        await store.EnsureCollectionsAsync(Dimensions, None);
        return store;
    }

    /// <summary>vectors.db as the store created it before the image columns title … mime_type and the captions collection.</summary>
    private void CreateOldDatabase(float[] vector)
    {
        Directory.CreateDirectory(_directory.Path);
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO meta (name, value) VALUES ('seq', 1);
            CREATE TABLE collections (
              name TEXT PRIMARY KEY, dimension INTEGER NOT NULL, row_count INTEGER NOT NULL DEFAULT 0, snapshot_file TEXT,
              snapshot_seq INTEGER NOT NULL DEFAULT 0, tombstones_pruned_through INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID;
            INSERT INTO collections (name, dimension, row_count) VALUES ('images', {ImageDimension}, 1);
            CREATE TABLE images (
              key INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, document_id TEXT NOT NULL, source TEXT NOT NULL,
              revision TEXT NOT NULL, seq INTEGER NOT NULL, media_ref TEXT NOT NULL, caption TEXT NOT NULL,
              attribution TEXT NOT NULL, url TEXT NOT NULL, vector BLOB NOT NULL
            );
            CREATE INDEX images_document ON images(document_id, source, seq);
            CREATE INDEX images_source ON images(source);
            CREATE INDEX images_seq ON images(seq);
            CREATE TABLE images_tombstones (key INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
            CREATE INDEX images_tombstones_seq ON images_tombstones(seq);
            INSERT INTO images (id, document_id, source, revision, seq, media_ref, caption, attribution, url, vector)
            VALUES ('old', 'doc-old', 'wiki', 'r1', 1, 'media/old.png', 'An old caption', 'CC0', 'https://example.org/old', $vector);
            """;
        command.Parameters.AddWithValue("$vector", MemoryMarshal.AsBytes(vector.AsSpan()).ToArray());
        command.ExecuteNonQuery();
    }

    private List<string> ImageColumns()
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info('images')";
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }
        return columns;
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(_directory.Path, EmbeddedDatabase.FileName),
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }
}
