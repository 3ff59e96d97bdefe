using System.Diagnostics;
using AspireMmRag.Embedding.Grpc;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using GrpcEmbedder = AspireMmRag.Embedding.Grpc.Embedder;

namespace AspireMmRag.Embedding;

/// <summary>
/// What the indexer and the gateway use to embed: typed calls over <see cref="EmbedderChannelPool"/>, each with a deadline,
/// the caller's cancellation token, a span, and retries on UNAVAILABLE / RESOURCE_EXHAUSTED (a replica restarting, a model
/// still loading, a full queue), each retry on another endpoint when there is one. Every call's status is reported to the
/// pool, which sets aside connections that keep failing with UNAVAILABLE. Other failures (INVALID_ARGUMENT,
/// FAILED_PRECONDITION...) surface at once as <see cref="RpcException"/>.
/// </summary>
public sealed class EmbedderClient(EmbedderChannelPool pool, IOptions<EmbedderClientOptions> options)
{
    public const string ActivitySourceName = "AspireMmRag.EmbedderClient";
    private static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    /// <summary>Embeds texts with <paramref name="model"/> (<see cref="EmbeddingModelNames"/>); vectors come back in input order.</summary>
    public async Task<IReadOnlyList<float[]>> EmbedTextsAsync(string model, TextKind kind, IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        (await EmbedTextsDetailedAsync(model, kind, texts, cancellationToken).ConfigureAwait(false)).Vectors;

    /// <summary>Embeds texts and also says which were cut to the model's token limit and which replica answered.</summary>
    public async Task<EmbeddingResult> EmbedTextsDetailedAsync(string model, TextKind kind, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var request = new EmbedTextsRequest { Model = model, Kind = kind };
        request.Texts.AddRange(texts);
        var response = await CallAsync($"embed texts {model}", texts.Count,
            (client, callOptions) => client.EmbedTextsAsync(request, callOptions), cancellationToken).ConfigureAwait(false);
        var result = new EmbeddingResult(ToVectors(response, texts.Count), [.. response.Vectors.Select(vector => vector.Truncated)], response.Replica);
        return result;
    }

    /// <summary>Embeds a search query with the passage model (the embedder adds the model's query prefix).</summary>
    public async Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken) =>
        (await EmbedTextsAsync(EmbeddingModelNames.Passage, TextKind.Query, [query], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Embeds passages (document chunks) with the passage model.</summary>
    public Task<IReadOnlyList<float[]>> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken) =>
        EmbedTextsAsync(EmbeddingModelNames.Passage, TextKind.Passage, passages, cancellationToken);

    /// <summary>Embeds encoded images (JPEG, PNG, WebP...) with CLIP.</summary>
    public async Task<IReadOnlyList<float[]>> EmbedImagesAsync(IReadOnlyList<ReadOnlyMemory<byte>> images, CancellationToken cancellationToken)
    {
        var request = new EmbedImagesRequest { Model = EmbeddingModelNames.Clip };
        request.Images.AddRange(images.Select(image => ByteString.CopyFrom(image.Span)));
        var response = await CallAsync("embed images clip", images.Count,
            (client, callOptions) => client.EmbedImagesAsync(request, callOptions), cancellationToken).ConfigureAwait(false);
        return ToVectors(response, images.Count);
    }

    public Task<DescribeModelsResponse> DescribeModelsAsync(CancellationToken cancellationToken) =>
        CallAsync("describe models", 0, (client, callOptions) => client.DescribeModelsAsync(new DescribeModelsRequest(), callOptions), cancellationToken);

    /// <summary>What each embedder replica reachable over the pooled connections reports, one answer per replica (replicas that
    /// do not answer within the call timeout are left out).</summary>
    public async Task<IReadOnlyList<DescribeModelsResponse>> DescribeReplicasAsync(CancellationToken cancellationToken)
    {
        using var activity = ActivitySource.StartActivity("describe replicas", ActivityKind.Client);
        var leases = await pool.AcquireEachAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var deadline = DateTime.UtcNow + options.Value.CallTimeout;
            var calls = leases.Select(async lease =>
            {
                try
                {
                    var client = new GrpcEmbedder.EmbedderClient(lease.Channel);
                    return await client.DescribeModelsAsync(new DescribeModelsRequest(), new CallOptions(deadline: deadline, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }
                catch (RpcException) when (!cancellationToken.IsCancellationRequested)
                {
                    return null;
                }
            }).ToArray();
            var answers = await Task.WhenAll(calls).ConfigureAwait(false);
            var replicas = answers.OfType<DescribeModelsResponse>().DistinctBy(answer => answer.Replica).OrderBy(answer => answer.Replica, StringComparer.Ordinal).ToList();
            activity?.SetTag("embedder.replicas", replicas.Count);
            return replicas.Count > 0 ? replicas : throw new RpcException(new Status(StatusCode.Unavailable, "No embedder replica answered."));
        }
        finally
        {
            foreach (var lease in leases)
            {
                lease.Dispose();
            }
        }
    }

    private async Task<TResponse> CallAsync<TResponse>(string name, int items,
        Func<GrpcEmbedder.EmbedderClient, CallOptions, AsyncUnaryCall<TResponse>> call, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var activity = ActivitySource.StartActivity(name, ActivityKind.Client);
        activity?.SetTag("embedder.items", items);
        var deadline = DateTime.UtcNow + settings.CallTimeout;

        string? failedOn = null;
        for (var attempt = 1; ; attempt++)
        {
            using var lease = await pool.AcquireAsync(cancellationToken, avoidEndpoint: failedOn).ConfigureAwait(false);
            activity?.SetTag("embedder.endpoint", lease.Endpoint);
            activity?.SetTag("embedder.attempts", attempt);
            try
            {
                var client = new GrpcEmbedder.EmbedderClient(lease.Channel);
                var response = await call(client, new CallOptions(deadline: deadline, cancellationToken: cancellationToken)).ConfigureAwait(false);
                lease.Report(StatusCode.OK);
                return response;
            }
            catch (RpcException ex) when (attempt < settings.MaxAttempts && IsTransient(ex.StatusCode) && DateTime.UtcNow < deadline)
            {
                lease.Report(ex.StatusCode);
                activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["grpc.status"] = ex.StatusCode.ToString() }));
                // The next attempt goes to another endpoint when there is one; the pause spares a replica that is only busy.
                failedOn = lease.Endpoint;
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                lease.Report(ex.StatusCode);
                activity?.SetStatus(ActivityStatusCode.Error, $"{ex.StatusCode}: {ex.Status.Detail}");
                throw;
            }
        }
    }

    private static bool IsTransient(StatusCode code) => code is StatusCode.Unavailable or StatusCode.ResourceExhausted;

    private static float[][] ToVectors(EmbedResponse response, int expected)
    {
        if (response.Vectors.Count != expected)
        {
            throw new InvalidOperationException($"The embedder returned {response.Vectors.Count} vectors for {expected} inputs.");
        }
        return response.Vectors.Select(vector => vector.Values.ToArray()).ToArray();
    }
}
