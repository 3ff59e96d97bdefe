using System.Diagnostics;
using AspireMmRag.Embedding;
using AspireMmRag.Embedding.Grpc;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Telemetry;
using AspireMmRag.VectorStore;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Retrieval;

/// <summary>
/// Retrieval for a text query, on two paths that run at the same time: the passage path (embed the query with the passage
/// model, then search passages — dense, BM25 or both fused, <see cref="PassageSearchMode"/> — and image captions together)
/// and the CLIP path (embed the query with CLIP text, then search images). Images are then ranked by <see cref="ImageRanker"/>. When CLIP is not available (no model on this
/// machine), images are ranked by caption alone and a warning says so.
/// </summary>
public sealed partial class Retriever(
    EmbedderClient embedder,
    IVectorStore store,
    ImageRanker ranker,
    IOptions<RetrievalOptions> options,
    GatewayTelemetry telemetry,
    ILogger<Retriever> logger)
{
    public async Task<RetrievalResult> RetrieveAsync(RetrievalQuery query, CancellationToken cancellationToken)
    {
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("retrieve");
        activity?.SetTag("retrieval.top_k", query.TopK);
        activity?.SetTag("retrieval.image_top_k", query.ImageTopK);
        var started = Stopwatch.GetTimestamp();

        await EnsureDocumentsExistAsync(query.DocumentIds, cancellationToken);
        var candidates = Math.Max(options.Value.MinImageCandidates, query.ImageTopK * options.Value.ImageCandidatesPerResult);
        var filters = new VectorSearchOptions { DocumentIds = query.DocumentIds, Sources = query.Sources };

        var passagePath = PassagePathAsync(query, filters, candidates, cancellationToken);
        var clipPath = query.WantsImages ? ClipPathAsync(query.Text, filters with { TopK = candidates }, cancellationToken) : Task.FromResult(ClipPath.Skipped);
        try
        {
            await Task.WhenAll(passagePath, clipPath);
        }
        catch when (passagePath.IsFaulted)
        {
            // Report the passage path's failure: it is the one every answer needs.
            await passagePath;
        }

        var (passages, captionHits, passageEmbedMs, passageSearchMs, denseMs, textMs) = await passagePath;
        var clip = await clipPath;
        var warnings = new List<string>();
        if (clip.Warning is { } warning)
        {
            warnings.Add(warning);
        }

        IReadOnlyList<ImageHit> images = [];
        if (query.WantsImages)
        {
            using var rank = GatewayTelemetry.ActivitySource.StartActivity("rank images");
            images = ranker.Rank(clip.Hits, captionHits, passages, query.ImageTopK);
            rank?.SetTag("retrieval.image_candidates", (clip.Hits?.Count ?? 0) + captionHits.Count);
            rank?.SetTag("retrieval.images", images.Count);
        }

        var totalMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        // The slower path sets the pace: its embedding and its searches are the request's.
        var passageTotal = passageEmbedMs + passageSearchMs;
        var clipTotal = clip.EmbedMs + clip.SearchMs;
        var (embedMs, searchMs) = passageTotal >= clipTotal ? (passageEmbedMs, passageSearchMs) : (clip.EmbedMs, clip.SearchMs);

        telemetry.RetrievalDuration.Record(totalMs, new KeyValuePair<string, object?>("passage_mode", query.Mode.Name()));
        telemetry.Hits.Record(passages.Count, new KeyValuePair<string, object?>("modality", "text"));
        telemetry.Hits.Record(images.Count, new KeyValuePair<string, object?>("modality", "image"));
        activity?.SetTag("retrieval.passages", passages.Count);
        activity?.SetTag("retrieval.images", images.Count);
        activity?.SetTag("retrieval.passage_mode", query.Mode.Name());
        return new RetrievalResult(passages, images, warnings, Math.Round(embedMs, 1), Math.Round(searchMs, 1), Math.Round(totalMs, 1),
            query.Mode, Round(denseMs), Round(textMs));
    }

    /// <summary>Unknown document ids are the caller's mistake, not an empty result.</summary>
    private async Task EnsureDocumentsExistAsync(IReadOnlyCollection<string>? documentIds, CancellationToken cancellationToken)
    {
        if (documentIds is not { Count: > 0 })
        {
            return;
        }
        var unknown = new List<string>();
        foreach (var id in documentIds)
        {
            var passages = await GuardedCalls.StoreAsync(() => store.CountAsync(VectorCollection.Passages, id, cancellationToken), cancellationToken);
            if (passages == 0 && await GuardedCalls.StoreAsync(() => store.CountAsync(VectorCollection.ImageCaptions, id, cancellationToken), cancellationToken) == 0)
            {
                unknown.Add(id);
            }
        }
        if (unknown.Count > 0)
        {
            throw new UnknownDocumentsException(unknown);
        }
    }

    private async Task<(IReadOnlyList<Citation> Passages, IReadOnlyList<VectorSearchHit<ImageRecord>> Captions, double EmbedMs, double SearchMs,
        double? DenseMs, double? TextMs)> PassagePathAsync(
        RetrievalQuery query, VectorSearchOptions filters, int imageCandidates, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var vector = await GuardedCalls.EmbedAsync(() => embedder.EmbedQueryAsync(query.Text, cancellationToken));
        var embedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        var searched = Stopwatch.GetTimestamp();
        var passageSearch = query.WantsPassages
            ? GuardedCalls.StoreAsync(() => SearchPassagesAsync(query, vector, filters with { TopK = query.TopK }, cancellationToken), cancellationToken)
            : Task.FromResult(new HybridSearchResult([], null, null));
        var captionSearch = query.WantsImages
            ? GuardedCalls.StoreAsync(() => store.SearchImageCaptionsAsync(vector, filters with { TopK = imageCandidates }, cancellationToken), cancellationToken)
            : Task.FromResult<IReadOnlyList<VectorSearchHit<ImageRecord>>>([]);
        await Task.WhenAll(passageSearch, captionSearch);
        var found = await passageSearch;
        var passages = found.Hits.Select((hit, i) => ToCitation(new VectorSearchHit<PassageRecord>(hit.Record, hit.Score), i + 1)).ToList();
        var captions = await captionSearch;
        return (passages, captions, embedMs, Stopwatch.GetElapsedTime(searched).TotalMilliseconds, found.DenseTime?.TotalMilliseconds, found.TextTime?.TotalMilliseconds);
    }

    /// <summary>The passages of <see cref="RetrievalQuery.Mode"/>, as one result shape: a single list keeps its own scores
    /// (cosine or BM25) and its time; hybrid scores are the fused reciprocal-rank scores.</summary>
    private async Task<HybridSearchResult> SearchPassagesAsync(RetrievalQuery query, float[] vector, VectorSearchOptions filters, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var started = Stopwatch.GetTimestamp();
        switch (query.Mode)
        {
            case PassageSearchMode.Dense:
                var dense = await store.SearchPassagesAsync(vector, filters, cancellationToken);
                return new HybridSearchResult(Single(dense, denseList: true), Stopwatch.GetElapsedTime(started), null);
            case PassageSearchMode.Bm25:
                var text = await store.SearchPassagesByTextAsync(query.Text, filters, cancellationToken);
                return new HybridSearchResult(Single(text, denseList: false), null, Stopwatch.GetElapsedTime(started));
            default:
                var hybrid = new HybridSearchOptions { RrfK = settings.RrfK, DenseWeight = settings.DenseWeight, TextWeight = settings.TextWeight };
                return await store.SearchPassagesHybridAsync(vector, query.Text, filters, hybrid, cancellationToken);
        }
    }

    private static HybridPassageHit[] Single(IReadOnlyList<VectorSearchHit<PassageRecord>> hits, bool denseList) =>
        hits.Select((hit, i) => denseList
            ? new HybridPassageHit(hit.Record, hit.Score, hit.Score, i + 1, null, null)
            : new HybridPassageHit(hit.Record, hit.Score, null, null, hit.Score, i + 1)).ToArray();

    private static double? Round(double? milliseconds) => milliseconds is { } value ? Math.Round(value, 1) : null;

    private async Task<ClipPath> ClipPathAsync(string text, VectorSearchOptions filters, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        float[] vector;
        try
        {
            vector = (await GuardedCalls.EmbedAsync(() => embedder.EmbedTextsAsync(EmbeddingModelNames.Clip, TextKind.Query, [text], cancellationToken)))[0];
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
        {
            LogClipUnavailable(logger, ex.Status.Detail);
            return new ClipPath(null, 0, 0, $"Images are ranked by their captions only: CLIP is not available ({ex.Status.Detail}).");
        }
        var embedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var searched = Stopwatch.GetTimestamp();
        var hits = await GuardedCalls.StoreAsync(() => store.SearchImagesAsync(vector, filters, cancellationToken), cancellationToken);
        return new ClipPath(hits, embedMs, Stopwatch.GetElapsedTime(searched).TotalMilliseconds, null);
    }

    public static Citation ToCitation(VectorSearchHit<PassageRecord> hit, int number) => new()
    {
        Number = number,
        DocumentId = hit.Record.DocumentId,
        Title = hit.Record.Title,
        Url = hit.Record.Url,
        Section = hit.Record.Section,
        ChunkId = hit.Record.Id,
        Text = hit.Record.Text,
        Score = Math.Round(hit.Score, 4),
    };

    private sealed record ClipPath(IReadOnlyList<VectorSearchHit<ImageRecord>>? Hits, double EmbedMs, double SearchMs, string? Warning)
    {
        public static readonly ClipPath Skipped = new([], 0, 0, null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "CLIP is not available; images are ranked by caption: {Reason}")]
    private static partial void LogClipUnavailable(ILogger logger, string reason);
}
