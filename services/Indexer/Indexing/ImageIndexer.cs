using AspireMmRag.Embedding;
using AspireMmRag.Indexer.Telemetry;
using AspireMmRag.Media;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;
using Grpc.Core;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>
/// Writes a batch of a document's images: the CLIP vector of each image's bytes to <see cref="VectorCollection.Images"/>
/// and the passage-model vector of its caption text to <see cref="VectorCollection.ImageCaptions"/>, each only where the
/// row is missing. An image missing from the media store, whose bytes are not a JPEG, PNG or WebP image, or that the
/// embedder refuses as corrupt (INVALID_ARGUMENT) is reported (<see cref="ImageIndexingFailed"/>) and gets no row; when the
/// embedder has no CLIP model (FAILED_PRECONDITION) the images get their caption rows only.
/// </summary>
public sealed partial class ImageIndexer(
    EmbedderClient embedder,
    IVectorStore store,
    IMediaStore media,
    IOptions<IndexingOptions> options,
    IndexerTelemetry telemetry,
    ILogger<ImageIndexer> logger)
{
    /// <param name="tryClip">False once CLIP was found unavailable for this document: no CLIP call is made.</param>
    public async Task<ImageBatchOutcome> IndexAsync(DocumentCrawled document, IReadOnlyList<PendingImage> batch, bool tryClip,
        IPublishEndpoint events, CancellationToken cancellationToken)
    {
        var failed = new List<string>();
        var usable = new List<(PendingImage Image, byte[] Bytes)>();
        foreach (var image in batch)
        {
            var bytes = await media.GetAsync(image.Record.MediaRef, cancellationToken);
            if (bytes is null)
            {
                await ReportFailureAsync(events, document, image, failed, "the image is not in the media store", cancellationToken);
            }
            else if (ImageFormat.Detect(bytes) is null)
            {
                await ReportFailureAsync(events, document, image, failed, "the stored bytes are not a JPEG, PNG or WebP image", cancellationToken);
            }
            else
            {
                usable.Add((image, bytes));
            }
        }

        var clip = new ClipResult();
        var needClip = usable.Where(item => item.Image.NeedsClip).ToList();
        if (tryClip && needClip.Count > 0)
        {
            await EmbedClipAsync(needClip, clip, cancellationToken);
            foreach (var (image, reason) in clip.Corrupt)
            {
                await ReportFailureAsync(events, document, image, failed, reason, cancellationToken);
            }
            usable.RemoveAll(item => clip.Corrupt.Any(corrupt => corrupt.Image.Record.Id == item.Image.Record.Id));
        }

        var captions = new List<ImageRecord>();
        foreach (var part in usable.Where(item => item.Image.NeedsCaption).Chunk(Math.Max(1, options.Value.PassageBatchSize)))
        {
            var vectors = await embedder.EmbedPassagesAsync(part.Select(item => item.Image.CaptionText).ToArray(), cancellationToken);
            captions.AddRange(part.Select((item, i) => item.Image.Record with { Vector = vectors[i] }));
        }
        var images = usable
            .Where(item => clip.Vectors.ContainsKey(item.Image.Record.Id))
            .Select(item => item.Image.Record with { Vector = clip.Vectors[item.Image.Record.Id] })
            .ToArray();

        if (images.Length > 0)
        {
            await store.UpsertImagesAsync(images, cancellationToken);
        }
        if (captions.Count > 0)
        {
            await store.UpsertImageCaptionsAsync(captions, cancellationToken);
            telemetry.ImageCaptions.Add(captions.Count);
        }

        var withoutClip = usable.Count(item => item.Image.NeedsClip && !clip.Vectors.ContainsKey(item.Image.Record.Id));
        telemetry.Images.Add(usable.Count - withoutClip, new KeyValuePair<string, object?>("outcome", "indexed"));
        telemetry.Images.Add(withoutClip, new KeyValuePair<string, object?>("outcome", "caption-only"));
        return new ImageBatchOutcome(usable.Count, failed, withoutClip, images.Length + captions.Count,
            tryClip ? clip.UnavailableReason : null);
    }

    /// <summary>CLIP vectors by record id; a batch refused as INVALID_ARGUMENT is embedded image by image to find the bad ones.</summary>
    private async Task EmbedClipAsync(IReadOnlyList<(PendingImage Image, byte[] Bytes)> items, ClipResult result, CancellationToken cancellationToken)
    {
        if (result.UnavailableReason is not null)
        {
            return;
        }
        IReadOnlyList<float[]> vectors;
        try
        {
            vectors = await embedder.EmbedImagesAsync(items.Select(item => (ReadOnlyMemory<byte>)item.Bytes).ToArray(), cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument && items.Count > 1)
        {
            foreach (var item in items)
            {
                await EmbedClipAsync([item], result, cancellationToken);
            }
            return;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
        {
            result.Corrupt.Add((items[0].Image, ex.Status.Detail));
            return;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
        {
            result.UnavailableReason = ex.Status.Detail;
            return;
        }
        for (var i = 0; i < items.Count; i++)
        {
            result.Vectors[items[i].Image.Record.Id] = vectors[i];
        }
    }

    private async Task ReportFailureAsync(IPublishEndpoint events, DocumentCrawled document, PendingImage image, List<string> failed, string reason, CancellationToken cancellationToken)
    {
        failed.Add(image.Record.Id);
        telemetry.Images.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
        LogImageFailed(logger, image.Record.MediaRef, image.Record.DocumentId, reason);
        await events.Publish(new ImageIndexingFailed { DocumentId = image.Record.DocumentId, MediaRef = image.Record.MediaRef, Reason = reason, RequestId = document.RequestId }, cancellationToken);
    }

    private sealed class ClipResult
    {
        public Dictionary<string, float[]> Vectors { get; } = new(StringComparer.Ordinal);
        public List<(PendingImage Image, string Reason)> Corrupt { get; } = [];
        public string? UnavailableReason { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Image {MediaRef} of {DocumentId} was not indexed: {Reason}")]
    private static partial void LogImageFailed(ILogger logger, string mediaRef, string documentId, string reason);
}

/// <summary>What a batch of images came to.</summary>
/// <param name="Indexed">Images of the batch that have their rows (a caption row at least) after it.</param>
/// <param name="FailedIds">Record ids of the images reported as failed; they must have no rows.</param>
/// <param name="WithoutClip">Images left without a CLIP row because CLIP is unavailable (or was found so earlier in the document).</param>
/// <param name="RowsWritten">Rows upserted, in both collections.</param>
/// <param name="ClipUnavailableReason">The embedder's reason when this batch found CLIP unavailable, else null.</param>
public sealed record ImageBatchOutcome(int Indexed, IReadOnlyList<string> FailedIds, int WithoutClip, int RowsWritten, string? ClipUnavailableReason);
