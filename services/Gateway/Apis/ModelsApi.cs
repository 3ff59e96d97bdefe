using AspireMmRag.Embedding;
using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Model;
using Grpc.Core;

namespace AspireMmRag.Gateway.Apis;

/// <summary><c>GET /api/models</c>: the embedding models as each embedder replica reports them, and the language model.</summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/models", GetModelsAsync)
            .RequireApiKey(ApiAccess.Read)
            .WithName("GetModels")
            .WithTags("Status")
            .WithSummary("The embedding models and the language model, with their availability")
            .Produces<ModelsResponse>();
        return app;
    }

    private static async Task<ModelsResponse> GetModelsAsync(EmbedderClient embedder, ILanguageModelStatus llm, CancellationToken cancellationToken)
    {
        var llmTask = llm.GetStatusAsync(cancellationToken);
        IReadOnlyList<EmbeddingModelInfo> embedding;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var replicas = await embedder.DescribeReplicasAsync(timeout.Token);
            embedding = replicas
                .SelectMany(described => described.Models.Select(m => new EmbeddingModelInfo(described.Replica, m.Name, m.ModelId, m.Dimension,
                    m.ExecutionProvider, m.Available, m.Available ? null : m.UnavailableReason)))
                .ToList();
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = ex is RpcException rpc ? $"the embedder did not answer: {rpc.StatusCode}: {rpc.Status.Detail}" : "the embedder did not answer within 10 s";
            embedding = [new EmbeddingModelInfo("", "embedder", "", 0, "", false, reason)];
        }
        return new ModelsResponse(embedding, await llmTask);
    }
}
