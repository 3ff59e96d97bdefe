using AspireMmRag.Gateway.Retrieval;
using AspireMmRag.Messaging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Ingestion;

/// <summary>Hands a request to the service that acts on it (crawl → crawler, delete → indexer) through the broker, within
/// <see cref="IngestionOptions.PublishTimeout"/>; a request no queue takes, or a broker that does not answer in time, is a
/// <see cref="DependencyUnavailableException"/> (503).</summary>
public sealed class CommandPublisher(StartupPublisher publisher, IOptions<IngestionOptions> options)
{
    public async Task PublishAsync<T>(T message, string receiver, CancellationToken cancellationToken) where T : class
    {
        var limit = options.Value.PublishTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            await publisher.PublishAsync(message, timeout.Token);
        }
        catch (UnroutableMessageException ex)
        {
            throw new DependencyUnavailableException(receiver, $"no queue takes its requests (is the {receiver} running?); try again when it runs.", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DependencyUnavailableException("message broker", $"it did not take the request within {limit.TotalSeconds:0} s.", ex);
        }
    }
}
