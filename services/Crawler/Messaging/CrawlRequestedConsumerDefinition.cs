using AspireMmRag.Crawler.Crawling;
using AspireMmRag.Crawler.Options;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Messaging;

/// <summary>
/// The crawl-requested endpoint: a few crawls at a time, so that a local folder is not stuck behind a Wikipedia page
/// waiting out its back-off (the MediaWiki client still sends one request at a time), and redelivery only for
/// <see cref="TransientCrawlException"/> at <see cref="MessagingOptions.RetryIntervals"/> (the consumer reports what still fails
/// on the last attempt instead of throwing). Any other exception — the broker not taking the outcome, say — faults at once
/// and lands in the <c>_error</c> queue.
/// </summary>
public sealed class CrawlRequestedConsumerDefinition : ConsumerDefinition<CrawlRequestedConsumer>
{
    private readonly IReadOnlyList<TimeSpan> _retryIntervals;

    public CrawlRequestedConsumerDefinition(IOptions<MessagingOptions> options)
    {
        _retryIntervals = options.Value.EffectiveRetryIntervals;
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<CrawlRequestedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Intervals(_retryIntervals.ToArray());
            retry.Handle<TransientCrawlException>();
        });
    }
}
