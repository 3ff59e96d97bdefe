using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// Takes the embedded store's writer lock when the host starts (<see cref="EmbeddedVectorStore.OpenAsync"/>), not at the
/// first write. Registered as the first hosted service (see <see cref="VectorStoreServiceExtensions.AddVectorStore(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration, VectorStoreRole)"/>),
/// so when another process holds the lock it logs why at critical level and fails start-up before any later hosted service
/// (the message bus and its consumers) has started: a second writer consumes nothing and exits.
/// </summary>
internal sealed partial class EmbeddedWriterStartup(EmbeddedVectorStore store, ILogger<EmbeddedWriterStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (VectorStoreException e)
        {
            LogLockFailed(logger, e, store.Directory, e.Message);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Critical,
        Message = "Cannot take the embedded vector store's writer lock in {Directory}; not starting (nothing is consumed): {Reason}")]
    private static partial void LogLockFailed(ILogger logger, Exception exception, string directory, string reason);
}

/// <summary>Readiness of the embedded store's writer: healthy while it holds the directory's lock file, unhealthy before
/// <see cref="EmbeddedWriterStartup"/> has taken it and after the store is disposed.</summary>
internal sealed class EmbeddedWriterHealthCheck(EmbeddedVectorStore store) : IHealthCheck
{
    public const string Name = "vector-store-writer";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(store.HoldsWriterLock
            ? HealthCheckResult.Healthy($"Holds the writer lock of {store.Directory}.")
            : HealthCheckResult.Unhealthy($"Does not hold the writer lock of {store.Directory}."));
}
