using AspireMmRag.Crawler.Crawling;
using AspireMmRag.Crawler.Folders;
using AspireMmRag.Crawler.Safety;
using AspireMmRag.Messaging;

namespace AspireMmRag.Crawler.Messaging;

/// <summary>
/// The folder part of <see cref="CrawlRequestedConsumer"/>: crawls the requested folder into the <see cref="CrawlReport"/>,
/// each document published as soon as it is read, and each file or folder the crawl left out a failure (its path relative
/// to the root; <c>refused</c> for links outside the root and the file limit, <c>not-found</c> for dangling links, else
/// <c>unreadable</c>). A folder that may not be crawled is an <see cref="InvalidCrawlRequestException"/> (<c>not-found</c> when
/// it does not exist, <c>invalid</c> when none was named, else <c>refused</c>). A publish timeout makes the attempt throw
/// <see cref="TransientCrawlException"/> while redeliveries remain; on the last attempt it is an <c>unreachable</c> failure.
/// </summary>
public sealed class FolderRequestHandler(FolderCrawler folders)
{
    /// <exception cref="InvalidCrawlRequestException">The folder may not be crawled.</exception>
    /// <exception cref="TransientCrawlException">Publishing timed out and a redelivery is left.</exception>
    public async Task CrawlAsync(CrawlReport report, CancellationToken cancellationToken)
    {
        var request = report.Request;
        FolderCrawlResult result;
        try
        {
            result = await folders.CrawlAsync(request.Folder, request.RequestId, report.PublishAsync, cancellationToken);
        }
        catch (FolderAccessRefusedException ex)
        {
            var kind = ex.Reason switch
            {
                "not-found" => CrawlFailureKinds.NotFound,
                "no-folder" => CrawlFailureKinds.Invalid,
                _ => CrawlFailureKinds.Refused,
            };
            throw new InvalidCrawlRequestException(CrawlRequestTargets.Of(request), kind, ex.Message, ex);
        }
        catch (TimeoutException ex) when (!report.IsLastAttempt)
        {
            throw new TransientCrawlException($"Crawling the folder '{request.Folder}' failed (attempt {report.Attempt}): {ex.Message}", ex);
        }
        catch (TimeoutException ex)
        {
            report.Fail(CrawlRequestTargets.Of(request), null, CrawlFailureKinds.Unreachable,
                $"The broker stayed unreachable after {report.Attempt} attempts: {ex.Message}");
            return;
        }

        foreach (var refusal in result.Refusals)
        {
            report.Fail(refusal.RelativePath, refusal.DocumentId, KindOf(refusal), refusal.Message);
        }
    }

    private static string KindOf(FolderRefusal refusal) => refusal.Reason switch
    {
        "link-outside-root" or "outside-root" or "max-files" => CrawlFailureKinds.Refused,
        "dangling-link" => CrawlFailureKinds.NotFound,
        _ => CrawlFailureKinds.Unreadable,
    };
}
