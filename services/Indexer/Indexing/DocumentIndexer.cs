using System.Diagnostics;
using AspireMmRag.Embedding;
using AspireMmRag.Indexer.Chunking;
using AspireMmRag.Indexer.Telemetry;
using AspireMmRag.Media;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;
using Grpc.Core;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>
/// Indexes one crawled document idempotently:
/// chunk → derive record ids → compare with what the store holds for the document → embed and upsert only what is new →
/// delete what is no longer part of the document. An unchanged document writes nothing; a new revision replaces its
/// passages (new ids) and keeps unchanged images; a run interrupted half way resumes where it stopped when the message
/// is delivered again. Images that cannot be embedded are reported (<see cref="ImageIndexingFailed"/>) without failing the document.
/// </summary>
public sealed partial class DocumentIndexer(
    TextChunker chunker,
    EmbedderClient embedder,
    IVectorStore store,
    IMediaStore media,
    VectorStoreInitializer initializer,
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
        var settings = options.Value;

        var chunks = chunker.Chunk(document.Title, document.Sections);
        var passages = chunks.Select(chunk => new PassageRecord
        {
            Id = RecordIds.Passage(document.DocumentId, document.Revision, document.ContentHash, chunk.Index),
            DocumentId = document.DocumentId,
            Source = document.Source,
            Title = document.Title,
            Url = document.Url,
            Section = chunk.Section,
            ChunkIndex = chunk.Index,
            Text = chunk.Text,
            Revision = document.Revision,
        }).ToList();
        var images = document.Images
            .Select(image => (Image: image, Id: RecordIds.Image(document.DocumentId, image.MediaRef, image.Caption, Attribution(image))))
            .DistinctBy(pair => pair.Id)
            .ToList();

        var storedPassages = (await store.ListIdsAsync(VectorCollection.Passages, document.DocumentId, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var storedImages = (await store.ListIdsAsync(VectorCollection.Images, document.DocumentId, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var wantedPassages = passages.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var wantedImages = images.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);

        if (storedPassages.SetEquals(wantedPassages) && storedImages.SetEquals(wantedImages))
        {
            telemetry.Documents.Add(1, new KeyValuePair<string, object?>("outcome", "unchanged"));
            LogUnchanged(logger, document.DocumentId, document.Revision);
            return new DocumentIndexed
            {
                DocumentId = document.DocumentId, Revision = document.Revision, Chunks = passages.Count, Images = images.Count, Unchanged = true,
            };
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

        // 2. Images not yet stored; one that fails is reported and skipped.
        var newImages = images.Where(i => !storedImages.Contains(i.Id)).ToList();
        var imagesDone = images.Count - newImages.Count;
        var imagesFailed = 0;
        foreach (var batch in newImages.Chunk(Math.Max(1, settings.ImageBatchSize)))
        {
            var (done, failed) = await IndexImagesAsync(document, batch, events, cancellationToken);
            imagesDone += done;
            imagesFailed += failed;
            await PublishProgressAsync(events, document, chunksDone, passages.Count, imagesDone, imagesFailed, images.Count, cancellationToken);
        }

        // 3. Whatever the document no longer contains (an older revision's passages, removed images).
        var stalePassages = storedPassages.Except(wantedPassages).ToArray();
        var staleImages = storedImages.Except(wantedImages).ToArray();
        if (stalePassages.Length > 0)
        {
            await store.DeleteAsync(VectorCollection.Passages, stalePassages, cancellationToken);
        }
        if (staleImages.Length > 0)
        {
            await store.DeleteAsync(VectorCollection.Images, staleImages, cancellationToken);
        }

        telemetry.Documents.Add(1, new KeyValuePair<string, object?>("outcome", "indexed"));
        telemetry.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        LogIndexed(logger, document.DocumentId, document.Revision, passages.Count, newPassages.Count, imagesDone, imagesFailed, stalePassages.Length + staleImages.Length);
        return new DocumentIndexed
        {
            DocumentId = document.DocumentId,
            Revision = document.Revision,
            Chunks = passages.Count,
            Images = imagesDone,
            ImagesFailed = imagesFailed,
            StaleRemoved = stalePassages.Length + staleImages.Length,
        };
    }

    private async Task<(int Done, int Failed)> IndexImagesAsync(DocumentCrawled document, (DocumentImage Image, string Id)[] batch,
        IPublishEndpoint events, CancellationToken cancellationToken)
    {
        var loaded = new List<(DocumentImage Image, string Id, byte[] Bytes)>();
        var failed = 0;
        foreach (var (image, id) in batch)
        {
            var bytes = await media.GetAsync(image.MediaRef, cancellationToken);
            if (bytes is null)
            {
                failed++;
                await ReportImageFailureAsync(events, document, image, "the image is not in the media store", cancellationToken);
                continue;
            }
            loaded.Add((image, id, bytes));
        }
        if (loaded.Count == 0)
        {
            return (0, failed);
        }

        IReadOnlyList<float[]> vectors;
        try
        {
            vectors = await embedder.EmbedImagesAsync(loaded.Select(l => (ReadOnlyMemory<byte>)l.Bytes).ToArray(), cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument && loaded.Count > 1)
        {
            // One bad image spoils the batch: embed them one by one to find it.
            var done = 0;
            foreach (var single in loaded)
            {
                var (d, f) = await IndexImagesAsync(document, [(single.Image, single.Id)], events, cancellationToken);
                done += d;
                failed += f;
            }
            return (done, failed);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition)
        {
            // A corrupt image, or no CLIP model on this system: the document's text is still indexed.
            foreach (var item in loaded)
            {
                await ReportImageFailureAsync(events, document, item.Image, ex.Status.Detail, cancellationToken);
            }
            return (0, failed + loaded.Count);
        }

        await store.UpsertImagesAsync(loaded.Select((item, i) => new ImageRecord
        {
            Id = item.Id,
            DocumentId = document.DocumentId,
            Source = document.Source,
            MediaRef = item.Image.MediaRef,
            Caption = item.Image.Caption,
            Attribution = Attribution(item.Image),
            Url = document.Url,
            Revision = document.Revision,
            Vector = vectors[i],
        }).ToArray(), cancellationToken);
        telemetry.Images.Add(loaded.Count, new KeyValuePair<string, object?>("outcome", "indexed"));
        return (loaded.Count, failed);
    }

    private async Task ReportImageFailureAsync(IPublishEndpoint events, DocumentCrawled document, DocumentImage image, string reason, CancellationToken cancellationToken)
    {
        telemetry.Images.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
        LogImageFailed(logger, image.MediaRef, document.DocumentId, reason);
        await events.Publish(new ImageIndexingFailed { DocumentId = document.DocumentId, MediaRef = image.MediaRef, Reason = reason }, cancellationToken);
    }

    private static Task PublishProgressAsync(IPublishEndpoint events, DocumentCrawled document, int chunksDone, int chunksTotal,
        int imagesDone, int imagesFailed, int imagesTotal, CancellationToken cancellationToken) =>
        events.Publish(new DocumentIndexingProgress
        {
            DocumentId = document.DocumentId,
            Revision = document.Revision,
            ChunksDone = chunksDone,
            ChunksTotal = chunksTotal,
            ImagesDone = imagesDone,
            ImagesFailed = imagesFailed,
            ImagesTotal = imagesTotal,
        }, cancellationToken);

    private static string Attribution(DocumentImage image) =>
        image.Attribution is { Length: > 0 } attribution ? attribution
        : string.Join(", ", new[] { image.Artist, image.License }.Where(part => part.Length > 0));

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexed {DocumentId} revision {Revision}: {Chunks} chunks ({NewChunks} new), {Images} images, {ImagesFailed} failed, {Stale} stale records removed")]
    private static partial void LogIndexed(ILogger logger, string documentId, string revision, int chunks, int newChunks, int images, int imagesFailed, int stale);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Image {MediaRef} of {DocumentId} was not indexed: {Reason}")]
    private static partial void LogImageFailed(ILogger logger, string mediaRef, string documentId, string reason);
}
