namespace AspireMmRag.Gateway.Catalog;

/// <summary>One document of a job — or one item of it that failed before it became a document (a missing page), keyed by
/// <see cref="Key"/>: the document id, or <c>crawl:{target}</c> when there is none.</summary>
public sealed class JobDocument
{
    public Guid JobId { get; set; }
    public required string Key { get; set; }
    public string? DocumentId { get; set; }
    public string Title { get; set; } = "";
    public string Url { get; set; } = "";
    public string State { get; set; } = JobDocumentStates.Queued;
    public int PassagesDone { get; set; }
    public int PassagesTotal { get; set; }
    public int ImagesDone { get; set; }
    public int ImagesFailed { get; set; }
    public int ImagesTotal { get; set; }

    /// <summary>The errors as JSON (<see cref="JobDocumentError"/>[]).</summary>
    public string Errors { get; set; } = "[]";

    public bool IsFinished => State is JobDocumentStates.Done or JobDocumentStates.Failed;
}

public static class JobDocumentStates
{
    public const string Queued = "queued";
    public const string Indexing = "indexing";
    public const string Done = "done";
    public const string Failed = "failed";
}

/// <summary>Why a job's document failed: <see cref="Stage"/> is <c>crawl</c> or <c>index</c>.</summary>
public sealed record JobDocumentError(string Stage, string Reason);
