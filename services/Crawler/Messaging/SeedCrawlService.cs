using AspireMmRag.Crawler.Options;
using AspireMmRag.Messaging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Messaging;

/// <summary>Publishes a <see cref="CrawlRequested"/> for each configured seed (<c>Crawler:Seed</c>) once at start-up: one per
/// Wikipedia title, one per folder. The crawl itself then runs in <see cref="CrawlRequestedConsumer"/>, with its retries.
/// Publishing goes through <see cref="StartupPublisher"/>: it starts once the bus and the crawler's own crawl-requested
/// queue are ready, and a request the broker cannot route is logged as an error.</summary>
public sealed partial class SeedCrawlService(StartupPublisher publisher, IOptions<SeedOptions> options, ILogger<SeedCrawlService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seed = options.Value;
        // Local folders first: they are quick and need no network.
        var requests = seed.EffectiveFolders.Select(folder => new CrawlRequested { Source = DocumentSources.Folder, Folder = folder })
            .Concat(seed.EffectiveWikipediaTitles.Select(title => new CrawlRequested { Source = DocumentSources.Wikipedia, Titles = [title] }))
            .ToArray();

        foreach (var request in requests)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(seed.PublishTimeout);
            var what = request.Folder ?? string.Join(", ", request.Titles);
            try
            {
                await publisher.PublishAsync(request, timeout.Token);
                LogSeeded(logger, request.Source, what, request.RequestId);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                LogSeedTimedOut(logger, request.Source, what, seed.PublishTimeout.TotalSeconds);
            }
            catch (UnroutableMessageException ex)
            {
                LogSeedUnroutable(logger, ex, request.Source, what, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded a {Source} crawl of {What} (request {RequestId})")]
    private static partial void LogSeeded(ILogger logger, string source, string what, Guid requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not seed the {Source} crawl of {What}: the bus was not ready or the broker did not take it within {Seconds} s")]
    private static partial void LogSeedTimedOut(ILogger logger, string source, string what, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not seed the {Source} crawl of {What}: {Error}")]
    private static partial void LogSeedUnroutable(ILogger logger, Exception exception, string source, string what, string error);
}
