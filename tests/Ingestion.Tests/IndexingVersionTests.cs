using AspireMmRag.Indexer.Chunking;
using AspireMmRag.Ingestion.Tests.Infrastructure;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;

namespace AspireMmRag.Ingestion.Tests;

/// <summary>Record ids follow the chunks' text and the models: a chunker setting or a model id that changes re-indexes exactly
/// the rows it changes, and a document is "unchanged" only when nothing it would write differs. Each test starts its own pipeline.</summary>
[Collection(IngestionCollection.Name)]
public sealed class IndexingVersionTests(IngestionFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task A_chunker_setting_change_rewrites_the_affected_passages_and_removes_the_old_ones()
    {
        await using var pipeline = await IngestionEnvironment.StartAsync(fixture.Broker);
        var store = pipeline.OpenReader();
        var longer = TestDocuments.Create($"test:settings-long:{Guid.NewGuid():N}", paragraphs: 10);
        var shorter = TestDocuments.Create($"test:settings-short:{Guid.NewGuid():N}", paragraphs: 1) with
        {
            Sections = [new DocumentSection { Title = "Note", Path = "Note", Text = "The ferry leaves at nine." }],
        };
        await IndexAsync(pipeline, longer, shorter, expectUnchanged: false);
        var longerBefore = await ExpectedRecords.StoredPassageIdsAsync(store, longer.DocumentId);
        var shorterBefore = await ExpectedRecords.StoredPassageIdsAsync(store, shorter.DocumentId);
        Assert.Equal(ExpectedRecords.PassageIds(longer), longerBefore);

        pipeline.SetIndexerSetting("Chunking__MaxTokens", "128");
        await pipeline.RestartIndexerAsync();
        var (longerAfter, shorterAfter) = await IndexAsync(pipeline, longer, shorter, expectUnchanged: null);

        var expected = ExpectedRecords.PassageIds(longer, new ChunkingOptions { MaxTokens = 128 });
        Assert.False(longerAfter.Unchanged);
        await ExpectedRecords.PassagesAreAsync(store, longer.DocumentId, expected);
        Assert.Equal(expected.Length, await store.CountAsync(VectorCollection.Passages, longer.DocumentId, default));
        Assert.NotEmpty(longerBefore.Except(expected)); // re-chunked: old passages replaced...
        Assert.Equal(longerAfter.StaleRemoved, longerBefore.Except(expected).Count()); // ...and exactly those removed
        // A one-sentence document chunks the same under both settings: really unchanged, nothing written.
        Assert.True(shorterAfter.Unchanged);
        Assert.Equal(shorterBefore, await ExpectedRecords.StoredPassageIdsAsync(store, shorter.DocumentId));

        // And the same settings again: both unchanged, no passage embedded.
        var progressBefore = pipeline.Events.All<DocumentIndexingProgress>().Count(p => p.DocumentId == longer.DocumentId);
        var (again, _) = await IndexAsync(pipeline, longer, shorter, expectUnchanged: true);
        Assert.Equal(progressBefore, pipeline.Events.All<DocumentIndexingProgress>().Count(p => p.DocumentId == longer.DocumentId));
        Assert.Equal(expected, await ExpectedRecords.StoredPassageIdsAsync(store, longer.DocumentId));
        Assert.Equal(0, again.StaleRemoved);
    }

    [Fact]
    public async Task Another_passage_or_clip_model_id_reindexes_what_it_embeds()
    {
        await using var pipeline = await IngestionEnvironment.StartAsync(fixture.Broker,
            new Dictionary<string, string> { ["Indexing__ModelCheckInterval"] = "00:00:00" });
        var store = pipeline.OpenReader();
        var image = await TestDocuments.ImageAsync(pipeline.Media, 20, 200, 20, "a green square");
        var document = TestDocuments.Create($"test:model:{Guid.NewGuid():N}", paragraphs: 4, images: [image]);
        await PublishAndWaitAsync(pipeline, document, 1);
        var passages = await ExpectedRecords.StoredPassageIdsAsync(store, document.DocumentId);
        var images = await store.ListIdsAsync(VectorCollection.Images, document.DocumentId, default);

        // Another CLIP model: the image rows are new, the passages untouched.
        pipeline.SetEmbedderSetting("Models__Clip__ModelId", "test/other-clip");
        await pipeline.RestartEmbedderAsync();
        var clipChanged = await PublishAndWaitAsync(pipeline, document, 2);
        Assert.False(clipChanged.Unchanged);
        Assert.Equal(passages, await ExpectedRecords.StoredPassageIdsAsync(store, document.DocumentId));
        var newImages = await store.ListIdsAsync(VectorCollection.Images, document.DocumentId, default);
        Assert.Single(newImages);
        Assert.NotEqual(images, newImages);
        Assert.Equal(newImages, await store.ListIdsAsync(VectorCollection.ImageCaptions, document.DocumentId, default));

        // Another passage model of the same dimension: every passage and caption is embedded again, the old rows removed.
        pipeline.SetEmbedderSetting("Models__Passage__ModelId", "test/renamed-arctic");
        await pipeline.RestartEmbedderAsync();
        var passageChanged = await PublishAndWaitAsync(pipeline, document, 3);
        Assert.False(passageChanged.Unchanged);
        var expected = ExpectedRecords.PassageIds(document, passageModel: "test/renamed-arctic");
        await ExpectedRecords.PassagesAreAsync(store, document.DocumentId, expected);
        Assert.Empty(passages.Intersect(expected));
        Assert.DoesNotContain(newImages.Single(), await store.ListIdsAsync(VectorCollection.ImageCaptions, document.DocumentId, default));

        // The same models again: unchanged.
        Assert.True((await PublishAndWaitAsync(pipeline, document, 4)).Unchanged);
    }

    /// <param name="expectUnchanged">What both results must say, or null for no check.</param>
    private static async Task<(DocumentIndexed Longer, DocumentIndexed Shorter)> IndexAsync(IngestionEnvironment pipeline,
        DocumentCrawled longer, DocumentCrawled shorter, bool? expectUnchanged)
    {
        var seen = pipeline.Events.All<DocumentIndexed>().Count(e => e.DocumentId == longer.DocumentId);
        var longerResult = await PublishAndWaitAsync(pipeline, longer, seen + 1);
        var shorterResult = await PublishAndWaitAsync(pipeline, shorter, seen + 1);
        if (expectUnchanged is { } unchanged)
        {
            Assert.Equal((unchanged, unchanged), (longerResult.Unchanged, shorterResult.Unchanged));
        }
        return (longerResult, shorterResult);
    }

    private static async Task<DocumentIndexed> PublishAndWaitAsync(IngestionEnvironment pipeline, DocumentCrawled document, int count)
    {
        await pipeline.PublishAsync(document);
        return (await pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == document.DocumentId, Timeout, count))[count - 1];
    }
}
