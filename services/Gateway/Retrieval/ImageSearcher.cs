using System.Diagnostics;
using AspireMmRag.Embedding;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Telemetry;
using AspireMmRag.VectorStore;
using Grpc.Core;

namespace AspireMmRag.Gateway.Retrieval;

/// <summary>
/// Search by image: the upload's CLIP vector finds the nearest stored images (one hit per picture); then the passages of
/// the documents those images belong to, ranked by the passage model against the best image's caption (or its document's
/// title when it has none), best first.
/// </summary>
public sealed class ImageSearcher(EmbedderClient embedder, IVectorStore store, GatewayTelemetry telemetry)
{
    public async Task<SearchResponse> SearchAsync(ReadOnlyMemory<byte> image, int topK, CancellationToken cancellationToken)
    {
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("search by image");
        var started = Stopwatch.GetTimestamp();
        float[] vector;
        try
        {
            vector = (await GuardedCalls.EmbedAsync(() => embedder.EmbedImagesAsync([image], cancellationToken)))[0];
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
        {
            throw new DependencyUnavailableException(GuardedCalls.Embedder, $"search by image needs CLIP, which is not available ({ex.Status.Detail})", ex);
        }

        var hits = await GuardedCalls.StoreAsync(() => store.SearchImagesAsync(vector, new VectorSearchOptions { TopK = topK * 3 }, cancellationToken), cancellationToken);
        var images = hits
            .GroupBy(hit => hit.Record.MediaRef, StringComparer.Ordinal)
            .Select(group => group.MaxBy(hit => hit.Score)!)
            .OrderByDescending(hit => hit.Score)
            .Take(topK)
            .Select(hit => ImageRanker.ToHit(hit.Record, hit.Score))
            .ToList();

        IReadOnlyList<Citation> passages = [];
        if (images.Count > 0)
        {
            var best = images[0];
            var text = best.Caption.Length > 0 ? best.Caption : best.DocumentTitle;
            if (text.Length > 0)
            {
                var query = await GuardedCalls.EmbedAsync(() => embedder.EmbedQueryAsync(text, cancellationToken));
                var documents = images.Select(i => i.DocumentId).Distinct(StringComparer.Ordinal).ToArray();
                var found = await GuardedCalls.StoreAsync(() => store.SearchPassagesAsync(query,
                    new VectorSearchOptions { TopK = topK, DocumentIds = documents }, cancellationToken), cancellationToken);
                passages = found.Select((hit, i) => Retriever.ToCitation(hit, i + 1)).ToList();
            }
        }
        telemetry.RetrievalDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        telemetry.Hits.Record(images.Count, new KeyValuePair<string, object?>("modality", "image"));
        activity?.SetTag("retrieval.images", images.Count);
        activity?.SetTag("retrieval.passages", passages.Count);
        return new SearchResponse(passages, images);
    }
}
