using AspireMmRag.Ingestion.Tests.Infrastructure;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;

namespace AspireMmRag.Ingestion.Tests;

/// <summary>An embedder without a CLIP model (offline): images are indexed by caption only, and get CLIP rows once CLIP is back.</summary>
[Collection(IngestionCollection.Name)]
public sealed class IndexerWithoutClipTests(IngestionFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task Images_are_findable_by_caption_without_clip_and_get_clip_vectors_on_a_later_run_with_it()
    {
        await using var pipeline = await IngestionEnvironment.StartAsync(fixture.Broker, withClip: false);
        var id = $"test:no-clip:{Guid.NewGuid():N}";
        var tram = await TestDocuments.ImageAsync(pipeline.Media, 220, 30, 30, "a red tram on Mannerheimintie", section: "Sights");
        var sea = await TestDocuments.ImageAsync(pipeline.Media, 20, 40, 230, "the blue sea at dawn", section: "Culture");
        var document = TestDocuments.Create(id, images: [tram, sea]);

        await pipeline.PublishAsync(document);
        var first = (await pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout)).Single();

        Assert.Equal((2, 0, false), (first.Images, first.ImagesFailed, first.Unchanged));
        Assert.DoesNotContain(pipeline.Events.All<ImageIndexingFailed>(), e => e.DocumentId == id);
        var store = pipeline.OpenReader();
        await EventuallyAsync(async () => await store.CountAsync(VectorCollection.ImageCaptions, id, default) == 2);
        Assert.Equal(0, await store.CountAsync(VectorCollection.Images, id, default));
        var question = await pipeline.EmbedQueryAsync("Where can I take a tram?");
        IReadOnlyList<VectorSearchHit<ImageRecord>> hits = [];
        await EventuallyAsync(async () =>
            (hits = await store.SearchImageCaptionsAsync(question, new VectorSearchOptions { TopK = 2, DocumentIds = [id] }, default)).Count == 2);
        Assert.Equal(tram.MediaRef, hits[0].Record.MediaRef);
        var captionIds = await store.ListIdsAsync(VectorCollection.ImageCaptions, id, default);

        // Still no CLIP: nothing to write.
        await pipeline.PublishAsync(document);
        var second = (await pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout, count: 2))[1];
        Assert.Equal((true, 2, 0), (second.Unchanged, second.Images, second.ImagesFailed));
        Assert.Equal(captionIds, await store.ListIdsAsync(VectorCollection.ImageCaptions, id, default));
        Assert.Equal(0, await store.CountAsync(VectorCollection.Images, id, default));

        // CLIP available: the same images get their CLIP rows, the caption rows stay as they are.
        await pipeline.RestartEmbedderAsync(withClip: true);
        await pipeline.PublishAsync(document);
        var third = (await pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout, count: 3))[2];
        Assert.Equal((false, 2, 0), (third.Unchanged, third.Images, third.ImagesFailed));
        await EventuallyAsync(async () => await store.CountAsync(VectorCollection.Images, id, default) == 2);
        Assert.Equal(captionIds.Order(), (await store.ListIdsAsync(VectorCollection.Images, id, default)).Order());
        Assert.Equal(captionIds, await store.ListIdsAsync(VectorCollection.ImageCaptions, id, default));
    }

    [Fact]
    public async Task Without_clip_a_corrupt_image_is_still_reported_and_gets_no_record()
    {
        await using var pipeline = await IngestionEnvironment.StartAsync(fixture.Broker, withClip: false);
        var id = $"test:no-clip-corrupt:{Guid.NewGuid():N}";
        var good = await TestDocuments.ImageAsync(pipeline.Media, 200, 200, 10, "a yellow house");
        var corrupt = await TestDocuments.CorruptImageAsync(pipeline.Media);
        var missing = good with { MediaRef = new string('0', 64), Caption = "not in the media store" };

        await pipeline.PublishAsync(TestDocuments.Create(id, images: [good, corrupt, missing]));
        var indexed = (await pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout)).Single();
        var failures = await pipeline.Events.WaitForAsync<ImageIndexingFailed>(e => e.DocumentId == id, Timeout, count: 2);

        Assert.Equal((1, 2), (indexed.Images, indexed.ImagesFailed));
        Assert.Equal(new[] { corrupt.MediaRef, missing.MediaRef }.Order(StringComparer.Ordinal), failures.Select(f => f.MediaRef).Order(StringComparer.Ordinal));
        var store = pipeline.OpenReader();
        await EventuallyAsync(async () => await store.CountAsync(VectorCollection.ImageCaptions, id, default) == 1);
        var question = await pipeline.EmbedQueryAsync("house");
        IReadOnlyList<VectorSearchHit<ImageRecord>> hits = [];
        await EventuallyAsync(async () =>
            (hits = await store.SearchImageCaptionsAsync(question, new VectorSearchOptions { TopK = 5, DocumentIds = [id] }, default)).Count > 0);
        Assert.Equal(good.MediaRef, Assert.Single(hits).Record.MediaRef);
        Assert.Equal(0, await store.CountAsync(VectorCollection.Images, id, default));
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
