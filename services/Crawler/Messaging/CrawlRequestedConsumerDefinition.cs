using AspireMmRag.Crawler.Crawling;
using AspireMmRag.Crawler.Options;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Messaging;

/// <summary>
/// The crawl-requested endpoint: one crawl at a time (the crawler is polite and serial anyway), and redelivery only for
/// <see cref="TransientCrawlException"/> at <see cref="MessagingOptions.RetryIntervals"/>. Everything else — bad input above
/// all — faults at once and lands in the <c>_error</c> queue.
/// </summary>
public sealed class CrawlRequestedConsumerDefinition : ConsumerDefinition<CrawlRequestedConsumer>
{
    private readonly IReadOnlyList<TimeSpan> _retryIntervals;

    public CrawlRequestedConsumerDefinition(IOptions<MessagingOptions> options)
    {
        _retryIntervals = options.Value.EffectiveRetryIntervals;
        ConcurrentMessageLimit = 1;
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
