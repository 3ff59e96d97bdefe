using System.Text.Json.Serialization;

namespace AspireMmRag.Gateway.Model;

/// <summary>The body of <c>POST /api/ingest</c>: Wikipedia pages (titles or URLs) or a folder under a configured root
/// (<c>root name[/sub-path]</c>) — one of the two.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record IngestRequest
{
    public IReadOnlyList<string>? Wikipedia { get; init; }
    public string? Folder { get; init; }
}

/// <summary>The answer to <c>POST /api/ingest</c>.</summary>
public sealed record IngestAccepted(Guid JobId);

/// <summary><c>GET /api/ingest/{jobId}</c>.</summary>
public sealed record IngestJobView(
    Guid JobId, string Source, string State, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, IReadOnlyList<JobDocumentView> Documents);

/// <summary>One document of a job; <see cref="DocumentId"/> is null for an item that failed before it became a document.</summary>
public sealed record JobDocumentView(
    string? DocumentId, string Title, string Url, string State, PassageCounts Passages, ImageCounts Images, IReadOnlyList<JobErrorView> Errors);

public sealed record PassageCounts(int Done, int Total);

public sealed record ImageCounts(int Done, int Failed, int Total);

/// <summary><see cref="Stage"/>: <c>crawl</c> or <c>index</c>.</summary>
public sealed record JobErrorView(string Stage, string Reason);

/// <summary>The data of the job event stream's events (<c>GET /api/ingest/{jobId}/events</c>).</summary>
public static class JobEventData
{
    public sealed record DocumentStarted(string DocumentId, string Title, string Url);

    public sealed record Progress(string DocumentId, PassageCounts Passages, ImageCounts Images);

    public sealed record ImageFailed(string DocumentId, string ImageId, string Reason);

    public sealed record DocumentDone(string DocumentId, string Title, string Url, int Passages, int Images, int ImagesFailed, bool Unchanged);

    public sealed record DocumentFailed(string? DocumentId, string Title, string Stage, string Reason);

    public sealed record JobDone(Guid JobId, string State, int Documents, int Failed);
}
