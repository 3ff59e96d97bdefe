using AspireMmRag.Ingestion.Tests.Infrastructure;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;

namespace AspireMmRag.Ingestion.Tests;

/// <summary>Work on one document is serialized across the document and the delete endpoints, and revisions older than the
/// applied one are skipped: MediaWiki revisions by number, folder documents by crawl time.</summary>
[Collection(IngestionCollection.Name)]
public sealed class DocumentOrderingTests(IngestionFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);
    private IngestionEnvironment Pipeline => fixture.Pipeline;

    [Fact]
    public async Task Two_revisions_published_at_once_leave_only_the_newer_ones_passages()
    {
        var inOrder = Revisions("at-once", DocumentSources.Folder);
        var reversed = Revisions("at-once-reversed", DocumentSources.Folder);
        var wiki = Revisions("at-once-wiki", DocumentSources.Wikipedia);

        await Task.WhenAll(
            Task.Run(async () => { await Pipeline.PublishAsync(inOrder.Older); await Pipeline.PublishAsync(inOrder.Newer); }),
            Task.Run(async () => { await Pipeline.PublishAsync(reversed.Newer); await Pipeline.PublishAsync(reversed.Older); }),
            Task.Run(async () => { await Pipeline.PublishAsync(wiki.Older); await Pipeline.PublishAsync(wiki.Newer); }));

        var store = Pipeline.OpenReader();
        foreach (var (older, newer) in new[] { inOrder, reversed, wiki })
        {
            await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == newer.DocumentId, Timeout, count: 2);
            await ExpectedRecords.PassagesAreAsync(store, newer.DocumentId, ExpectedRecords.PassageIds(newer));
        }
        // Published second but older: skipped, answered as unchanged, nothing written.
        var skipped = Pipeline.Events.All<DocumentIndexed>().Single(e => e.DocumentId == reversed.Older.DocumentId && e.Revision == reversed.Older.Revision);
        Assert.True(skipped.Unchanged);
        Assert.Equal(0, skipped.Chunks);
    }

    [Theory]
    [InlineData(DocumentSources.Folder)]
    [InlineData(DocumentSources.Wikipedia)]
    public async Task An_older_revision_redelivered_after_a_newer_one_is_skipped(string source)
    {
        var (older, newer) = Revisions($"redelivered-{source}", source);
        if (source == DocumentSources.Wikipedia)
        {
            older = older with { CrawledAt = newer.CrawledAt.AddMinutes(5) }; // crawled later, yet an older MediaWiki revision
        }
        await Pipeline.PublishAsync(newer);
        var indexed = (await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == newer.DocumentId, Timeout)).Single();
        var store = Pipeline.OpenReader();
        var expected = ExpectedRecords.PassageIds(newer);
        await ExpectedRecords.PassagesAreAsync(store, newer.DocumentId, expected);

        await Pipeline.PublishAsync(older);
        var skipped = (await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == newer.DocumentId, Timeout, count: 2))[1];

        Assert.Equal(older.Revision, skipped.Revision);
        Assert.True(skipped.Unchanged);
        Assert.True(skipped.IndexedAt < indexed.IndexedAt, "a catalog keeping the latest result keeps the newer revision");
        Assert.Equal(expected, await ExpectedRecords.StoredPassageIdsAsync(store, newer.DocumentId));
        Assert.DoesNotContain(Pipeline.Events.All<DocumentIndexingProgress>(), p => p.DocumentId == newer.DocumentId && p.Revision == older.Revision);
    }

    [Fact]
    public async Task A_delete_racing_an_index_run_leaves_the_document_gone()
    {
        var store = Pipeline.OpenReader();
        // A document long enough to be embedded in several batches; the delete arrives after the first one is written.
        var during = TestDocuments.Create($"test:delete-race:{Guid.NewGuid():N}", paragraphs: 300);
        await Pipeline.PublishAsync(during);
        await Pipeline.Events.WaitForAsync<DocumentIndexingProgress>(p => p.DocumentId == during.DocumentId, Timeout);
        await Pipeline.PublishAsync(new DocumentDeleteRequested { DocumentId = during.DocumentId });

        // And one whose delete is published right after it (the two endpoints may see them in either order).
        var right = TestDocuments.Create($"test:delete-after:{Guid.NewGuid():N}", paragraphs: 20);
        await Pipeline.PublishAsync(right);
        await Pipeline.PublishAsync(new DocumentDeleteRequested { DocumentId = right.DocumentId });

        foreach (var document in new[] { during, right })
        {
            await Pipeline.Events.WaitForAsync<DocumentRemoved>(e => e.DocumentId == document.DocumentId, Timeout);
            await Pipeline.Events.WaitForAsync<DocumentIndexed>(e => e.DocumentId == document.DocumentId, Timeout);
        }
        await Task.Delay(TimeSpan.FromSeconds(2)); // anything still running on either endpoint would write now
        foreach (var document in new[] { during, right })
        {
            await ExpectedRecords.PassagesAreAsync(store, document.DocumentId, []);
            Assert.Equal(0, await store.CountAsync(VectorCollection.Passages, document.DocumentId, default));
        }
    }

    /// <summary>Two revisions of one document; the newer is crawled later and, for MediaWiki, has the higher revision id.</summary>
    private static (DocumentCrawled Older, DocumentCrawled Newer) Revisions(string name, string source)
    {
        var id = $"test:{name}:{Guid.NewGuid():N}";
        var crawled = DateTimeOffset.UtcNow;
        var older = TestDocuments.Create(id, revision: "1001", paragraphs: 8, variant: " (older)") with { Source = source, CrawledAt = crawled };
        var newer = TestDocuments.Create(id, revision: "1002", paragraphs: 4, variant: " (newer)") with { Source = source, CrawledAt = crawled.AddSeconds(1) };
        return (older, newer);
    }
}
