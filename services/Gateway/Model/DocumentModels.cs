namespace AspireMmRag.Gateway.Model;

/// <summary>A page of <c>GET /api/documents</c>; <see cref="Next"/> is the <c>after</c> cursor of the following page.</summary>
public sealed record DocumentPage(IReadOnlyList<DocumentSummary> Items, int Total, string? Next);

public sealed record DocumentSummary(
    string DocumentId, string Title, string Url, string Source, string Revision, int Passages, int Images, DateTimeOffset? IndexedAt);

/// <summary><c>GET /api/documents/{documentId}</c>.</summary>
public sealed record DocumentDetail(
    string DocumentId, string Title, string Url, string Source, string Revision, int Passages, DateTimeOffset? IndexedAt,
    IReadOnlyList<string> Sections, IReadOnlyList<DocumentImageView> Images);

/// <summary>An image of a document, served at <see cref="Url"/> (the gateway's <c>/api/images/{imageId}</c>).</summary>
public sealed record DocumentImageView(
    string ImageId, string Url, string Caption, string Attribution, string License, string Section, string SourceUrl,
    string DescriptionUrl, int Width, int Height);

/// <summary>The answer to <c>DELETE /api/documents/{documentId}</c>.</summary>
public sealed record DocumentDeleteAccepted(string DocumentId);
