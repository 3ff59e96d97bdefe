namespace AspireMmRag.Gateway.Catalog;

/// <summary>A document as last indexed. A removed document keeps its row with <see cref="RemovedAt"/> set, so that an older
/// event arriving late cannot bring it back; it is listed again when it is indexed after its removal.</summary>
public sealed class CatalogDocument
{
    public required string DocumentId { get; set; }
    public string Source { get; set; } = "";
    public string Title { get; set; } = "";

    /// <summary><see cref="Title"/> in lower case: the title filter compares with it, the same way on every provider.</summary>
    public string TitleKey { get; set; } = "";
    public string Url { get; set; } = "";
    public string Revision { get; set; } = "";
    public int Passages { get; set; }
    public int Images { get; set; }
    public DateTimeOffset? IndexedAt { get; set; }
    public DateTimeOffset? RemovedAt { get; set; }

    /// <summary>The section paths as JSON (string[]).</summary>
    public string Sections { get; set; } = "[]";

    /// <summary>The indexed images as JSON (<see cref="AspireMmRag.Messaging.IndexedImage"/>[]).</summary>
    public string ImageList { get; set; } = "[]";

    public bool IsListed => IndexedAt is not null && RemovedAt is null;
}
