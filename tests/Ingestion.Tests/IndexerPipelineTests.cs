using AspireMmRag.Ingestion.Tests.Infrastructure;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;

namespace AspireMmRag.Ingestion.Tests;

/// <summary>Documents through a real broker into the indexer process and the embedded store, read from another process.</summary>
[Collection(IngestionCollection.Name)]
public sealed class IndexerPipelineTests(IngestionFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private IngestionEnvironment Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_document_is_chunked_embedded_and_searchable_with_its_images()
    {
        var id = Unique("searchable");
        var red = await TestDocuments.ImageAsync(Pipeline.Media, 255, 0, 0, "a red square");
        var document = TestDocuments.Create(id, images: [red]);

        await Pipeline.PublishAsync(document);
        var indexed = (await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout)).Single();

        Assert.False(indexed.Unchanged);
        Assert.True(indexed.Chunks >= 2, $"chunks: {indexed.Chunks}");
        Assert.Equal(1, indexed.Images);
        var store = Pipeline.OpenReader();
        await EventuallyAsync(async () => await store.CountAsync(VectorCollection.Passages, id, default) == indexed.Chunks);
        Assert.Equal(1, await store.CountAsync(VectorCollection.Images, id, default));
        Assert.Equal(1, await store.CountAsync(VectorCollection.ImageCaptions, id, default));
        var progress = Pipeline.Events.All<DocumentIndexingProgress>().Where(p => p.DocumentId == id).ToArray();
        Assert.NotEmpty(progress);
        Assert.Contains(progress, p => p.ChunksDone == p.ChunksTotal && p.ChunksTotal == indexed.Chunks);
    }

    [Fact]
    public async Task Ingesting_an_unchanged_document_twice_writes_nothing_new()
    {
        var id = Unique("twice");
        var document = TestDocuments.Create(id, images: [await TestDocuments.ImageAsync(Pipeline.Media, 0, 0, 255, "blue")]);

        await Pipeline.PublishAsync(document);
        var first = (await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout)).Single();
        var store = Pipeline.OpenReader();
        await EventuallyAsync(async () => await store.CountAsync(VectorCollection.Passages, id, default) == first.Chunks);
        var idsBefore = await store.ListIdsAsync(VectorCollection.Passages, id, default);
        var imageIdsBefore = await store.ListIdsAsync(VectorCollection.Images, id, default);
        var captionIdsBefore = await store.ListIdsAsync(VectorCollection.ImageCaptions, id, default);

        await Pipeline.PublishAsync(document);
        var both = await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout, count: 2);

        Assert.True(both[1].Unchanged);
        Assert.Equal(first.Chunks, await store.CountAsync(VectorCollection.Passages, id, default));
        Assert.Equal(1, await store.CountAsync(VectorCollection.Images, id, default));
        Assert.Equal(idsBefore.Order(), (await store.ListIdsAsync(VectorCollection.Passages, id, default)).Order());
        Assert.Equal(imageIdsBefore, await store.ListIdsAsync(VectorCollection.Images, id, default));
        Assert.Equal(captionIdsBefore, await store.ListIdsAsync(VectorCollection.ImageCaptions, id, default));
        Assert.Equal(imageIdsBefore, captionIdsBefore);
        // The second run embedded nothing: no progress events after the first completion.
        Assert.Equal(first.Chunks, Pipeline.Events.All<DocumentIndexingProgress>().Where(p => p.DocumentId == id).Max(p => p.ChunksDone));
    }

    [Fact]
    public async Task A_new_revision_replaces_the_old_chunks_and_leaves_no_stale_one()
    {
        var id = Unique("revision");
        var keptImage = await TestDocuments.ImageAsync(Pipeline.Media, 0, 255, 0, "green");
        var droppedImage = await TestDocuments.ImageAsync(Pipeline.Media, 255, 255, 0, "yellow");
        await Pipeline.PublishAsync(TestDocuments.Create(id, revision: "100", paragraphs: 8, images: [keptImage, droppedImage]));
        await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id && e.Revision == "100", Timeout);
        var store = Pipeline.OpenReader();
        var oldIds = await store.ListIdsAsync(VectorCollection.Passages, id, default);

        var revised = TestDocuments.Create(id, revision: "101", paragraphs: 4, images: [keptImage], variant: " (revised)");
        await Pipeline.PublishAsync(revised);
        var indexed = (await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id && e.Revision == "101", Timeout)).Single();

        await EventuallyAsync(async () => await store.CountAsync(VectorCollection.Passages, id, default) == indexed.Chunks);
        var newIds = await store.ListIdsAsync(VectorCollection.Passages, id, default);
        Assert.Empty(newIds.Intersect(oldIds));
        Assert.Equal(1, await store.CountAsync(VectorCollection.Images, id, default));
        // A reader process follows the writer by polling: searches see the new revision within its poll interval.
        await EventuallyAsync(async () =>
        {
            var hits = await store.SearchPassagesAsync(AnyQuery(), new VectorSearchOptions { TopK = 50, DocumentIds = [id] }, default);
            return hits.Count == indexed.Chunks && hits.All(hit => hit.Record.Revision == "101")
                && hits.Any(hit => hit.Record.Text.Contains("(revised)", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task Deleting_a_document_removes_all_of_it()
    {
        var id = Unique("delete");
        await Pipeline.PublishAsync(TestDocuments.Create(id, images: [await TestDocuments.ImageAsync(Pipeline.Media, 9, 9, 200, "navy")]));
        await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout);

        await Pipeline.PublishAsync(new DocumentDeleteRequested { DocumentId = id });
        var removed = (await Pipeline.Events.WaitForAsync<DocumentRemoved>(e => e.DocumentId == id, Timeout)).Single();

        var store = Pipeline.OpenReader();
        await EventuallyAsync(async () => await store.CountAsync(VectorCollection.Passages, id, default) == 0);
        Assert.Equal(0, await store.CountAsync(VectorCollection.Images, id, default));
        Assert.Equal(0, await store.CountAsync(VectorCollection.ImageCaptions, id, default));
        Assert.True(removed.Removed > 0);
    }

    [Fact]
    public async Task A_corrupt_image_is_reported_and_the_rest_of_the_document_indexed()
    {
        var id = Unique("corrupt-image");
        var good = await TestDocuments.ImageAsync(Pipeline.Media, 200, 10, 10, "a good one");
        var corrupt = await TestDocuments.CorruptImageAsync(Pipeline.Media);

        await Pipeline.PublishAsync(TestDocuments.Create(id, images: [good, corrupt]));
        var indexed = (await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == id, Timeout)).Single();
        var failure = (await Pipeline.Events.WaitForAsync<ImageIndexingFailed>(e => e.DocumentId == id, Timeout)).Single();

        Assert.Equal(1, indexed.Images);
        Assert.Equal(1, indexed.ImagesFailed);
        Assert.Equal(corrupt.MediaRef, failure.MediaRef);
        Assert.False(string.IsNullOrWhiteSpace(failure.Reason));
        Assert.Equal(1, await Pipeline.OpenReader().CountAsync(VectorCollection.Images, id, default));
        Assert.Equal(1, await Pipeline.OpenReader().CountAsync(VectorCollection.ImageCaptions, id, default));
    }

    [Fact]
    public async Task A_poison_document_lands_in_the_error_queue_without_blocking_the_others()
    {
        var poisonId = Unique("poison");
        var poison = TestDocuments.Create(poisonId) with
        {
            Images = [new DocumentImage { MediaRef = "../../etc/passwd", SourceUrl = "file:///etc/passwd", MimeType = "image/png" }],
        };
        var healthyId = Unique("after-poison");
        var errorsBefore = await Pipeline.QueueLengthAsync("indexer-documents_error");

        await Pipeline.PublishAsync(poison);
        await Pipeline.PublishAsync(TestDocuments.Create(healthyId));

        await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == healthyId, Timeout);
        await EventuallyAsync(async () => await Pipeline.QueueLengthAsync("indexer-documents_error") == errorsBefore + 1);
        Assert.DoesNotContain(Pipeline.Events.All<DocumentIndexed>(), e => e.DocumentId == poisonId);
    }

    private static string Unique(string name) => $"test:{name}:{Guid.NewGuid():N}";

    /// <summary>Any unit query will do: with a document filter and a large top-k every passage of the document comes back.</summary>
    private static float[] AnyQuery()
    {
        var vector = new float[384];
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
