using System.Diagnostics;
using AspireMmRag.Embedding;
using AspireMmRag.Indexer.Chunking;
using AspireMmRag.Indexer.Telemetry;
using AspireMmRag.Media;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>
/// Indexes one crawled document idempotently:
/// skip it when it is older than what is applied (<see cref="RevisionOrder"/> on the <see cref="DocumentStateStore"/>) →
/// chunk → derive record ids (<see cref="RecordIds"/>: position, stored fields and <see cref="IndexingVersion"/>) → compare with what
/// the store holds for the document in each collection (passages, images, image captions) → embed and upsert only what is
/// missing → delete what is no longer part of the document → record the applied revision. An unchanged document (the same
/// chunks with the same text, the same images, the same models) writes nothing; a new revision, other chunker settings or
/// another model replace exactly the rows whose id changed and keep the rest (a kept row keeps the revision it was written
/// at); a run interrupted half way resumes where it stopped
/// when the message is delivered again. A superseded document writes nothing and is answered with a
/// <see cref="DocumentIndexed"/> marked <see cref="DocumentIndexed.Unchanged"/>, without chunks or images, whose
/// <see cref="DocumentIndexed.IndexedAt"/> is older than the applied indexing's (a catalog that keeps the latest keeps the newer).
/// <para>
/// Every image gets a caption row (<see cref="VectorCollection.ImageCaptions"/>: the passage-model vector of
/// <see cref="ImageCaptionText"/>) and a CLIP row (<see cref="VectorCollection.Images"/>), both with the record of
/// <see cref="DocumentImageRecords"/>. When the embedder has no CLIP model (FAILED_PRECONDITION) the images get their caption
/// rows only, are counted as indexed (<see cref="DocumentIndexed.Images"/>), are not reported as failed, and get their CLIP
/// rows the next time the document is indexed with CLIP available; a run that finds CLIP still unavailable and has nothing else
/// to write reports the document <see cref="DocumentIndexed.Unchanged"/>. An image missing from the media store, not a JPEG,
/// PNG or WebP image, or refused by the embedder as corrupt (INVALID_ARGUMENT) is reported (<see cref="ImageIndexingFailed"/>,
/// counted in <see cref="DocumentIndexed.ImagesFailed"/>), gets no rows (rows it had are removed) and does not fail the document.
/// </para>
/// </summary>
public sealed partial class DocumentIndexer(
    TextChunker chunker,
    EmbedderClient embedder,
    IVectorStore store,
    ImageIndexer imageIndexer,
    VectorStoreInitializer initializer,
    IndexingVersions versions,
    DocumentStateStore states,
    IOptions<IndexingOptions> options,
    IndexerTelemetry telemetry,
    ILogger<DocumentIndexer> logger)
{
    public async Task<DocumentIndexed> IndexAsync(DocumentCrawled document, IPublishEndpoint events, CancellationToken cancellationToken)
    {
        Validate(document);
        using var activity = IndexerTelemetry.ActivitySource.StartActivity("index document");
        activity?.SetTag("document.id", document.DocumentId);
        activity?.SetTag("document.revision", document.Revision);
        var started = Stopwatch.GetTimestamp();

        await initializer.EnsureAsync(cancellationToken);
        var applied = await states.GetAsync(document.DocumentId, cancellationToken);
        if (RevisionOrder.Superseded(document, applied) is { } reason)
        {
            return Superseded(document, applied!, reason);
        }
        var settings = options.Value;
        var version = await versions.GetAsync(cancellationToken);

        var chunks = chunker.Chunk(document.Title, document.Sections);
        var passages = PassageRecords.For(document, chunks, version.Passages);
        var images = DocumentImageRecords.For(document, version.Images);

        var storedPassages = await StoredIdsAsync(VectorCollection.Passages, document.DocumentId, cancellationToken);
        var storedImages = await StoredIdsAsync(VectorCollection.Images, document.DocumentId, cancellationToken);
        var storedCaptions = await StoredIdsAsync(VectorCollection.ImageCaptions, document.DocumentId, cancellationToken);
        var wantedPassages = passages.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var wantedImages = images.Select(i => i.Record.Id).ToHashSet(StringComparer.Ordinal);

        if (storedPassages.SetEquals(wantedPassages) && storedImages.SetEquals(wantedImages) && storedCaptions.SetEquals(wantedImages))
        {
            return await UnchangedAsync(document, passages.Count, images, new HashSet<string>(StringComparer.Ordinal), cancellationToken);
        }

        // 1. Passages not yet stored, embedded in batches.
        var newPassages = passages.Where(p => !storedPassages.Contains(p.Id)).ToList();
        var chunksDone = passages.Count - newPassages.Count;
        foreach (var batch in newPassages.Chunk(Math.Max(1, settings.PassageBatchSize)))
        {
            var vectors = await embedder.EmbedPassagesAsync(batch.Select(p => p.Text).ToArray(), cancellationToken);
            await store.UpsertPassagesAsync(batch.Select((p, i) => p with { Vector = vectors[i] }).ToArray(), cancellationToken);
            chunksDone += batch.Length;
            telemetry.Passages.Add(batch.Length);
            await PublishProgressAsync(events, document, chunksDone, passages.Count, 0, 0, images.Count, cancellationToken);
        }

        // 2. Images missing a CLIP row or a caption row; one that fails is reported and gets no rows.
        var pending = images
            .Select(i => i with { NeedsClip = !storedImages.Contains(i.Record.Id), NeedsCaption = !storedCaptions.Contains(i.Record.Id) })
            .Where(i => i.NeedsClip || i.NeedsCaption)
            .ToList();
        var imagesDone = images.Count - pending.Count;
        var failedImages = new HashSet<string>(StringComparer.Ordinal);
        var imageRowsWritten = 0;
        var withoutClip = 0;
        string? clipUnavailable = null;
        foreach (var batch in pending.Chunk(Math.Max(1, settings.ImageBatchSize)))
        {
            var outcome = await imageIndexer.IndexAsync(document, batch, clipUnavailable is null, events, cancellationToken);
            imagesDone += outcome.Indexed;
            failedImages.UnionWith(outcome.FailedIds);
            imageRowsWritten += outcome.RowsWritten;
            withoutClip += outcome.WithoutClip;
            clipUnavailable ??= outcome.ClipUnavailableReason;
            await PublishProgressAsync(events, document, chunksDone, passages.Count, imagesDone, failedImages.Count, images.Count, cancellationToken);
        }
        if (withoutClip > 0)
        {
            LogCaptionOnly(logger, withoutClip, document.DocumentId, clipUnavailable ?? "");
        }

        // 3. Whatever the document no longer contains (an older revision's passages, removed or changed images, failed images).
        var keptImages = wantedImages.Except(failedImages).ToHashSet(StringComparer.Ordinal);
        var removed = await DeleteStaleAsync(VectorCollection.Passages, storedPassages.Except(wantedPassages), cancellationToken)
            + await DeleteStaleAsync(VectorCollection.Images, storedImages.Except(keptImages), cancellationToken)
            + await DeleteStaleAsync(VectorCollection.ImageCaptions, storedCaptions.Except(keptImages), cancellationToken);

        if (newPassages.Count == 0 && imageRowsWritten == 0 && removed == 0 && failedImages.Count == 0)
        {
            return await UnchangedAsync(document, passages.Count, images, failedImages, cancellationToken);
        }
        telemetry.Documents.Add(1, new KeyValuePair<string, object?>("outcome", "indexed"));
        telemetry.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        LogIndexed(logger, document.DocumentId, document.Revision, passages.Count, newPassages.Count, imagesDone, withoutClip, failedImages.Count, removed);
        return await AppliedAsync(document, Describe(document, images, failedImages) with
        {
            Chunks = passages.Count,
            Images = imagesDone,
            ImagesFailed = failedImages.Count,
            StaleRemoved = removed,
        }, cancellationToken);
    }

    /// <summary>Records the revision as applied, with the result's time.</summary>
    private async Task<DocumentIndexed> AppliedAsync(DocumentCrawled document, DocumentIndexed result, CancellationToken cancellationToken)
    {
        var indexedAt = DateTimeOffset.UtcNow;
        await states.RecordIndexedAsync(document.DocumentId, document.Revision, document.CrawledAt, indexedAt, cancellationToken);
        return result with { IndexedAt = indexedAt };
    }

    private DocumentIndexed Superseded(DocumentCrawled document, DocumentState applied, string reason)
    {
        telemetry.Documents.Add(1, new KeyValuePair<string, object?>("outcome", "superseded"));
        LogSuperseded(logger, document.DocumentId, document.Revision, reason);
        var before = applied.IndexedAt.AddTicks(-1);
        return Describe(document, [], new HashSet<string>(StringComparer.Ordinal)) with
        {
            Unchanged = true,
            IndexedAt = document.CrawledAt < before ? document.CrawledAt : before,
        };
    }

    /// <summary>The result with what a catalog shows of the document: its sections and the images that are indexed.</summary>
    private static DocumentIndexed Describe(DocumentCrawled document, IReadOnlyList<PendingImage> images, IReadOnlySet<string> failedImages)
    {
        var crawled = document.Images.ToLookup(image => image.MediaRef, StringComparer.Ordinal);
        return new DocumentIndexed
        {
            DocumentId = document.DocumentId,
            Revision = document.Revision,
            RequestId = document.RequestId,
            Source = document.Source,
            Title = document.Title,
            Url = document.Url,
            Sections = document.Sections.Select(section => section.Path).Where(path => path.Length > 0).Distinct(StringComparer.Ordinal).ToArray(),
            IndexedImages = images.Where(image => !failedImages.Contains(image.Record.Id)).Select(image => new IndexedImage
            {
                MediaRef = image.Record.MediaRef,
                Caption = image.Record.Caption,
                Attribution = image.Record.Attribution,
                License = image.Record.License,
                Section = image.Record.Section,
                SourceUrl = image.Record.SourceUrl,
                DescriptionUrl = image.Record.DescriptionUrl,
                Width = crawled[image.Record.MediaRef].FirstOrDefault()?.Width ?? 0,
                Height = crawled[image.Record.MediaRef].FirstOrDefault()?.Height ?? 0,
            }).ToArray(),
        };
    }

    private async Task<HashSet<string>> StoredIdsAsync(VectorCollection collection, string documentId, CancellationToken cancellationToken) =>
        (await store.ListIdsAsync(collection, documentId, cancellationToken)).ToHashSet(StringComparer.Ordinal);

    private async Task<int> DeleteStaleAsync(VectorCollection collection, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var stale = ids.ToArray();
        if (stale.Length > 0)
        {
            await store.DeleteAsync(collection, stale, cancellationToken);
        }
        return stale.Length;
    }

    private Task<DocumentIndexed> UnchangedAsync(DocumentCrawled document, int chunks, IReadOnlyList<PendingImage> images,
        IReadOnlySet<string> failedImages, CancellationToken cancellationToken)
    {
        telemetry.Documents.Add(1, new KeyValuePair<string, object?>("outcome", "unchanged"));
        LogUnchanged(logger, document.DocumentId, document.Revision);
        return AppliedAsync(document, Describe(document, images, failedImages) with { Chunks = chunks, Images = images.Count, Unchanged = true }, cancellationToken);
    }

    private static Task PublishProgressAsync(IPublishEndpoint events, DocumentCrawled document, int chunksDone, int chunksTotal,
        int imagesDone, int imagesFailed, int imagesTotal, CancellationToken cancellationToken) =>
        events.Publish(new DocumentIndexingProgress
        {
            DocumentId = document.DocumentId,
            Revision = document.Revision,
            RequestId = document.RequestId,
            Title = document.Title,
            Url = document.Url,
            ChunksDone = chunksDone,
            ChunksTotal = chunksTotal,
            ImagesDone = imagesDone,
            ImagesFailed = imagesFailed,
            ImagesTotal = imagesTotal,
        }, cancellationToken);

    private static void Validate(DocumentCrawled document)
    {
        if (string.IsNullOrWhiteSpace(document.DocumentId) || document.DocumentId.Length > 512)
        {
            throw new InvalidDocumentException("The document has no id (or one longer than 512 characters).");
        }
        if (string.IsNullOrWhiteSpace(document.Revision) || string.IsNullOrWhiteSpace(document.ContentHash))
        {
            throw new InvalidDocumentException($"Document '{document.DocumentId}' has no revision or content hash.");
        }
        foreach (var image in document.Images)
        {
            if (!MediaReference.IsValid(image.MediaRef))
            {
                throw new InvalidDocumentException($"Document '{document.DocumentId}' references '{image.MediaRef}', which is not a media reference.");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId} revision {Revision} is already indexed; nothing written")]
    private static partial void LogUnchanged(ILogger logger, string documentId, string revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId} revision {Revision} is superseded, nothing written: {Reason}")]
    private static partial void LogSuperseded(ILogger logger, string documentId, string revision, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexed {DocumentId} revision {Revision}: {Chunks} chunks ({NewChunks} new), {Images} images ({WithoutClip} by caption only), {ImagesFailed} failed, {Stale} stale records removed")]
    private static partial void LogIndexed(ILogger logger, string documentId, string revision, int chunks, int newChunks, int images, int withoutClip, int imagesFailed, int stale);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} images of {DocumentId} are indexed by caption only (no CLIP vectors until the document is indexed again with CLIP available): {Reason}")]
    private static partial void LogCaptionOnly(ILogger logger, int count, string documentId, string reason);
}
