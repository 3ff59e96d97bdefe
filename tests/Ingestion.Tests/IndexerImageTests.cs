using AspireMmRag.Ingestion.Tests.Infrastructure;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;

namespace AspireMmRag.Ingestion.Tests;

/// <summary>Images through the pipeline: CLIP rows and caption rows (passage-model vectors) with every stored field.</summary>
[Collection(IngestionCollection.Name)]
public sealed class IndexerImageTests(IngestionFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private IngestionEnvironment Pipeline => fixture.Pipeline;

    [Fact]
    public async Task Every_image_gets_a_caption_record_in_the_passage_space_found_by_a_question()
    {
        var id = Unique("captions");
        var ferry = await TestDocuments.ImageAsync(Pipeline.Media, 10, 60, 200, "a ferry leaving the harbour for Suomenlinna", section: "Sights");
        var square = await TestDocuments.ImageAsync(Pipeline.Media, 250, 5, 5, "a red square painting", section: "Culture");
        var document = TestDocuments.Create(id, images: [ferry, square]);

        await Pipeline.PublishAsync(document);
        var indexed = (await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout)).Single();

        Assert.Equal((2, 0), (indexed.Images, indexed.ImagesFailed));
        var store = Pipeline.OpenReader();
        await EventuallyAsync(async () => await store.CountAsync(VectorCollection.ImageCaptions, id, default) == 2);
        Assert.Equal(2, await store.CountAsync(VectorCollection.Images, id, default));
        Assert.Equal(
            (await store.ListIdsAsync(VectorCollection.Images, id, default)).Order(),
            (await store.ListIdsAsync(VectorCollection.ImageCaptions, id, default)).Order());

        var question = await Pipeline.EmbedQueryAsync("Which boats go to the sea fortress?");
        Assert.Equal(384, question.Length);
        IReadOnlyList<VectorSearchHit<ImageRecord>> hits = [];
        await EventuallyAsync(async () =>
            (hits = await store.SearchImageCaptionsAsync(question, new VectorSearchOptions { TopK = 2, DocumentIds = [id] }, default)).Count == 2);
        var best = hits[0].Record;
        Assert.Equal(ferry.MediaRef, best.MediaRef);
        Assert.True(hits[0].Score > hits[1].Score);
        Assert.Equal(
            (id, DocumentSources.Folder, document.Title, "Sights", ferry.Caption, ferry.SourceUrl, ferry.DescriptionUrl, "CC0", "image/png", document.Url, "Test, CC0"),
            (best.DocumentId, best.Source, best.Title, best.Section, best.Caption, best.SourceUrl, best.DescriptionUrl, best.License, best.MimeType, best.Url, best.Attribution));

        // The caption collection has the passage model's dimension, the image collection CLIP's.
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SearchImageCaptionsAsync(Unit(512), new VectorSearchOptions { DocumentIds = [id] }, default));
        var clipHits = await store.SearchImagesAsync(Unit(512), new VectorSearchOptions { TopK = 10, DocumentIds = [id] }, default);
        Assert.Equal(["Culture", "Sights"], clipHits.Select(hit => hit.Record.Section).Order());
        Assert.All(clipHits, hit => Assert.Equal((document.Title, "image/png", "CC0"), (hit.Record.Title, hit.Record.MimeType, hit.Record.License)));
    }

    [Fact]
    public async Task A_changed_caption_replaces_the_image_and_caption_records()
    {
        var id = Unique("changed-caption");
        var image = await TestDocuments.ImageAsync(Pipeline.Media, 30, 200, 30, "green", section: "Sights");
        await Pipeline.PublishAsync(TestDocuments.Create(id, images: [image]));
        await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout);
        var store = Pipeline.OpenReader();
        await EventuallyAsync(async () => await store.CountAsync(VectorCollection.ImageCaptions, id, default) == 1);
        var oldIds = await store.ListIdsAsync(VectorCollection.ImageCaptions, id, default);

        await Pipeline.PublishAsync(TestDocuments.Create(id, images: [image with { Caption = "a lime green meadow by the sea" }]));
        var second = (await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout, count: 2))[1];

        Assert.False(second.Unchanged);
        Assert.Equal(1, second.Images);
        await EventuallyAsync(async () =>
        {
            var captions = await store.ListIdsAsync(VectorCollection.ImageCaptions, id, default);
            return captions.Count == 1 && !captions.SequenceEqual(oldIds);
        });
        var images = await store.ListIdsAsync(VectorCollection.Images, id, default);
        Assert.Equal(await store.ListIdsAsync(VectorCollection.ImageCaptions, id, default), images);
        Assert.Empty(images.Intersect(oldIds));
        var question = await Pipeline.EmbedQueryAsync("meadow");
        await EventuallyAsync(async () =>
            await store.SearchImageCaptionsAsync(question, new VectorSearchOptions { DocumentIds = [id] }, default) is [{ Record.Caption: "a lime green meadow by the sea" }]);
    }

    private static string Unique(string name) => $"test:{name}:{Guid.NewGuid():N}";

    private static float[] Unit(int dimension)
    {
        var vector = new float[dimension];
        vector[0] = 1f;
        return vector;
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("The condition did not become true within 30 s.");
            }
            await Task.Delay(200);
        }
    }
}
