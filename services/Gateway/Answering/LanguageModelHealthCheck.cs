using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AspireMmRag.Gateway.Answering;

/// <summary>The <c>llm</c> entry of <c>/health</c>: always Healthy, because the gateway answers without a language model
/// (retrieval-only). The description and data say whether the model is available and, when not, why.</summary>
internal sealed class LanguageModelHealthCheck(ILanguageModelStatus status) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var info = await status.GetStatusAsync(cancellationToken);
        var data = new Dictionary<string, object>
        {
            ["provider"] = info.Provider,
            ["available"] = info.Available,
        };
        if (info.Model is not null)
        {
            data["model"] = info.Model;
        }
        if (info.Endpoint is not null)
        {
            data["endpoint"] = info.Endpoint;
        }
        var description = info.Available
            ? $"{info.Provider} model '{info.Model}' is available{(info.Endpoint is null ? "" : $" at {info.Endpoint}")}."
            : $"retrieval-only: {info.Reason}";
        return HealthCheckResult.Healthy(description, data);
    }
}
