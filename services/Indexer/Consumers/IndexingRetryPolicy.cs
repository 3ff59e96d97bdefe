using AspireMmRag.Indexer.Indexing;
using Grpc.Core;
using MassTransit;

namespace AspireMmRag.Indexer.Consumers;

/// <summary>
/// Two kinds of failure, two policies. The embedder or the store being away (UNAVAILABLE, timeouts, I/O) delays a
/// document: it is retried with exponential back-off for up to about a quarter of an hour while the message stays on the
/// queue. Anything else is retried a few times, then MassTransit moves the message to the <c>_error</c> queue, where it is
/// kept for inspection and can be moved back; documents that can never be indexed go there at once.
/// </summary>
public static class IndexingRetryPolicy
{
    public static void Apply(IReceiveEndpointConfigurator endpoint, IndexingRetryOptions options)
    {
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<RpcException>(IsOutage);
            retry.Handle<TimeoutException>();
            retry.Handle<HttpRequestException>();
            retry.Exponential(options.OutageRetries, options.OutageMinInterval, options.OutageMaxInterval, options.OutageMinInterval);
        });
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<InvalidDocumentException>();
            retry.Ignore<ArgumentException>();
            retry.Ignore<RpcException>(IsOutage); // outages are the outer policy's
            retry.Ignore<TimeoutException>();
            retry.Ignore<HttpRequestException>();
            retry.Intervals(options.FailureIntervals);
        });
    }

    private static bool IsOutage(RpcException exception) =>
        exception.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted;
}

/// <summary>Bound from <c>Indexing:Retry</c>.</summary>
public sealed class IndexingRetryOptions
{
    public int OutageRetries { get; set; } = 20;
    public TimeSpan OutageMinInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan OutageMaxInterval { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan[] FailureIntervals { get; set; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)];
}
