namespace AspireMmRag.Crawler.Options;

/// <summary>Publishing and retries. Bound from <c>Crawler:Messaging</c>.</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Crawler:Messaging";

    /// <summary>Time allowed for publishing one message (<c>DocumentCrawled</c>, <c>CrawlFailed</c>, <c>CrawlCompleted</c>).</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Waits between redeliveries of a <c>CrawlRequested</c> that failed for a transient reason (network, throttling).
    /// Bad requests are never retried; what still fails on the last attempt is published as <c>CrawlFailed</c>. Unset: 10 s, 1 min, 5 min.</summary>
    public TimeSpan[]? RetryIntervals { get; set; }

    public IReadOnlyList<TimeSpan> EffectiveRetryIntervals =>
        RetryIntervals ?? [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)];
}
