namespace AspireMmRag.Gateway.Catalog;

/// <summary>An ingest job: one crawl request (its <see cref="Id"/> is the <c>CrawlRequested.RequestId</c>) and what came of it.</summary>
public sealed class IngestJob
{
    public Guid Id { get; set; }

    /// <summary><c>wikipedia</c> or <c>folder</c>.</summary>
    public required string Source { get; set; }

    /// <summary>What was asked for: the titles (one per line) or the folder as the client wrote it.</summary>
    public required string Request { get; set; }

    public string State { get; set; } = JobStates.Queued;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The crawler reported the request finished (<c>CrawlCompleted</c>): every document it will index is known.</summary>
    public bool CrawlCompleted { get; set; }

    /// <summary>The sequence number of the job's last event (<see cref="JobEvent.Sequence"/>).</summary>
    public long LastSequence { get; set; }

    /// <summary>Documents (and failed crawl items) by outcome, kept as they change so that the job's end is known without
    /// reading all its documents.</summary>
    public int DocumentsDone { get; set; }
    public int DocumentsFailed { get; set; }
    public int DocumentsUnfinished { get; set; }

    public List<JobDocument> Documents { get; set; } = [];
}

public static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Done = "done";
    public const string Partial = "partial";
    public const string Failed = "failed";
}
