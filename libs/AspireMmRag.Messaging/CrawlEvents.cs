namespace AspireMmRag.Messaging;

/// <summary>
/// One thing a crawl request asked for could not be crawled: a Wikipedia title that does not exist or stayed unreachable
/// after the retries, a refused URL, a file that could not be read, or the whole request when it was refused. Published
/// once per failed item, before the request's <see cref="CrawlCompleted"/>.
/// </summary>
public sealed record CrawlFailed
{
    /// <summary>The <see cref="CrawlRequested.RequestId"/>.</summary>
    public required Guid RequestId { get; init; }
    public required string Source { get; init; }

    /// <summary>What failed: the page title, the file's path relative to its root, or the requested folder.</summary>
    public required string Target { get; init; }

    /// <summary>The document id the item would have had, when it is known (e.g. <c>wikipedia:en:Atlantis_(city)</c>).</summary>
    public string? DocumentId { get; init; }

    /// <summary>One of <see cref="CrawlFailureKinds"/>.</summary>
    public required string Kind { get; init; }
    public required string Reason { get; init; }
}

public static class CrawlFailureKinds
{
    /// <summary>The page or folder does not exist.</summary>
    public const string NotFound = "not-found";

    /// <summary>The source stayed unreachable (network, throttling) after the retries.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>The safety rules refused a URL or path.</summary>
    public const string Refused = "refused";

    /// <summary>A file or response could not be read (unsupported, too large, corrupt).</summary>
    public const string Unreadable = "unreadable";

    /// <summary>The request itself can never succeed as sent (unknown source, no titles, too many).</summary>
    public const string Invalid = "invalid";
}

/// <summary>
/// A crawl request is finished: every <see cref="DocumentCrawled"/> and <see cref="CrawlFailed"/> it produced has been
/// published. <see cref="Documents"/> lists the documents published, so a listener knows which indexing results to wait for.
/// </summary>
public sealed record CrawlCompleted
{
    public required Guid RequestId { get; init; }
    public required string Source { get; init; }
    public IReadOnlyList<CrawledDocumentSummary> Documents { get; init; } = [];

    /// <summary>How many <see cref="CrawlFailed"/> the request produced.</summary>
    public int Failed { get; init; }
}

/// <summary>A published document, as <see cref="CrawlCompleted"/> lists it.</summary>
public sealed record CrawledDocumentSummary
{
    public required string DocumentId { get; init; }
    public required string Title { get; init; }
    public required string Url { get; init; }
    public required string Revision { get; init; }
}
