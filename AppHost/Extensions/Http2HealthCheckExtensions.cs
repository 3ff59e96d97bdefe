using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AspireMmRag.AppHost.Extensions;

public static class Http2HealthCheckExtensions
{
    /// <summary>
    /// An HTTP health check over cleartext HTTP/2 (h2c). gRPC services listen with <c>Protocols: Http2</c>, which makes
    /// Aspire's <c>WithHttpHealthCheck</c> (HTTP/1.1) fail against them; this probe speaks HTTP/2 with prior knowledge.
    /// </summary>
    public static IResourceBuilder<T> WithHttp2HealthCheck<T>(this IResourceBuilder<T> builder, string path, string endpointName = "http")
        where T : IResourceWithEndpoints
    {
        var endpoint = builder.GetEndpoint(endpointName);
        var key = $"{builder.Resource.Name}_{endpointName}_h2c_health";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, _ => new Http2HealthCheck(endpoint, path), failureStatus: HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(10)));
        return builder.WithHealthCheck(key);
    }

    private sealed class Http2HealthCheck(EndpointReference endpoint, string path) : IHealthCheck
    {
        private static readonly HttpClient Client = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3) })
        {
            Timeout = TimeSpan.FromSeconds(5),
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!endpoint.IsAllocated)
            {
                return HealthCheckResult.Unhealthy("Endpoint not allocated yet.");
            }
            try
            {
                using var response = await Client.GetAsync(new Uri(new Uri(endpoint.Url), path), cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                return response.IsSuccessStatusCode
                    ? HealthCheckResult.Healthy(body)
                    : HealthCheckResult.Unhealthy($"{(int)response.StatusCode}: {body}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return HealthCheckResult.Unhealthy(ex.Message, ex);
            }
        }
    }
}
