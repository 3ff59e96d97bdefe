using AspireMmRag.Embedder.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AspireMmRag.Embedder.Health;

/// <summary>
/// Healthy once the passage model serves. A missing CLIP model does not make the embedder unhealthy (passages still
/// work and dependants must not wait forever), but the report says plainly that image embeddings are unavailable.
/// </summary>
public sealed class EmbeddingModelsHealthCheck(EmbeddingModels models) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["passage"] = models.PassageStatus,
            ["clip"] = models.ClipStatus,
            ["image_embeddings"] = models.ClipReady ? "available" : "unavailable",
        };

        if (!models.PassageReady)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Passage model: {models.PassageStatus}", data: data));
        }
        var description = models.ClipReady
            ? "Passage and CLIP models are serving."
            : $"Passage model serving; image embeddings unavailable: {models.ClipStatus}";
        return Task.FromResult(HealthCheckResult.Healthy(description, data));
    }
}
