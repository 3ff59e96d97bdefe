using Microsoft.Extensions.Configuration;

namespace AspireMmRag.AppHost.Extensions;

public static class GatewayApiKeyExtensions
{
    public const string ParameterName = "gateway-api-key";

    /// <summary>
    /// The key the gateway asks for (<c>X-Api-Key</c>) on POST /api/ingest and DELETE /api/documents/…, as a secret parameter:
    /// <c>Gateway:ApiKey</c> from the AppHost's configuration when set; otherwise <c>Parameters:gateway-api-key</c>, and when that
    /// is not set either, a generated value that Aspire saves to the AppHost's user secrets (so it stays the same across runs).
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddGatewayApiKey(this IDistributedApplicationBuilder builder, out string whereToFindIt)
    {
        const string Where = $"the dashboard's Resources page, Parameters tab, '{ParameterName}' (masked until revealed)";
        if (builder.Configuration["Gateway:ApiKey"] is { Length: > 0 } configured)
        {
            whereToFindIt = $"Gateway:ApiKey from the AppHost configuration; also shown on {Where}";
            return builder.AddParameter(ParameterName, configured, secret: true)
                .WithDescription("X-Api-Key for POST /api/ingest and DELETE /api/documents (from Gateway:ApiKey).");
        }

        whereToFindIt = $"{Where}; generated once and kept in the AppHost's user secrets as Parameters:{ParameterName} " +
            "('dotnet user-secrets list --project AppHost'); set Gateway:ApiKey to choose your own";
        return builder.AddParameter(ParameterName, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true)
            .WithDescription("X-Api-Key for POST /api/ingest and DELETE /api/documents (generated; set Gateway:ApiKey to choose it).");
    }
}
