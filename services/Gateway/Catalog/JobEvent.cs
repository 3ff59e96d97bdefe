namespace AspireMmRag.Gateway.Catalog;

/// <summary>One event of a job's stream, kept so that a client that reconnects gets exactly what it missed. The
/// <see cref="Sequence"/> counts from 1 within the job and is the SSE event id.</summary>
public sealed class JobEvent
{
    public Guid JobId { get; set; }
    public long Sequence { get; set; }

    /// <summary>One of <see cref="JobEventTypes"/>.</summary>
    public required string Type { get; set; }

    /// <summary>The event's payload as camelCase JSON.</summary>
    public required string Data { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class JobEventTypes
{
    public const string DocumentStarted = "document-started";
    public const string Progress = "progress";
    public const string ImageFailed = "image-failed";
    public const string DocumentDone = "document-done";
    public const string DocumentFailed = "document-failed";
    public const string JobDone = "job-done";
}
