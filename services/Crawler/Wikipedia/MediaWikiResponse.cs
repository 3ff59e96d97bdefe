using System.Text.Json;
using System.Text.Json.Serialization;

namespace AspireMmRag.Crawler.Wikipedia;

// The parts of MediaWiki Action API answers (format=json&formatversion=2) the crawler reads.

internal sealed record MediaWikiResponse
{
    [JsonPropertyName("error")] public MediaWikiError? Error { get; init; }
    [JsonPropertyName("query")] public MediaWikiQuery? Query { get; init; }

    /// <summary>Parameters to send with the next request to get the rest of the result (continuation).</summary>
    [JsonPropertyName("continue")] public Dictionary<string, JsonElement>? Continue { get; init; }
}

internal sealed record MediaWikiError
{
    [JsonPropertyName("code")] public string Code { get; init; } = "";
    [JsonPropertyName("info")] public string Info { get; init; } = "";
}

internal sealed record MediaWikiQuery
{
    [JsonPropertyName("pages")] public List<MediaWikiPageJson> Pages { get; init; } = [];
}

internal sealed record MediaWikiPageJson
{
    [JsonPropertyName("pageid")] public long? PageId { get; init; }
    [JsonPropertyName("ns")] public int Namespace { get; init; }
    [JsonPropertyName("title")] public string Title { get; init; } = "";
    /// <summary>True for a page that does not exist — also for files that live on Commons, which then have <c>known</c> and imageinfo.</summary>
    [JsonPropertyName("missing")] public bool Missing { get; init; }
    [JsonPropertyName("known")] public bool Known { get; init; }
    [JsonPropertyName("invalid")] public bool Invalid { get; init; }
    [JsonPropertyName("invalidreason")] public string? InvalidReason { get; init; }
    [JsonPropertyName("extract")] public string? Extract { get; init; }
    [JsonPropertyName("revisions")] public List<MediaWikiRevisionJson>? Revisions { get; init; }
    [JsonPropertyName("lastrevid")] public long? LastRevisionId { get; init; }
    [JsonPropertyName("canonicalurl")] public string? CanonicalUrl { get; init; }
    [JsonPropertyName("fullurl")] public string? FullUrl { get; init; }
    [JsonPropertyName("imageinfo")] public List<MediaWikiImageInfoJson>? ImageInfo { get; init; }
}

internal sealed record MediaWikiRevisionJson
{
    [JsonPropertyName("revid")] public long RevisionId { get; init; }
    [JsonPropertyName("timestamp")] public DateTimeOffset? Timestamp { get; init; }
    /// <summary>The revision's content by slot (<c>rvslots=main</c>: "main" holds the page's wikitext).</summary>
    [JsonPropertyName("slots")] public Dictionary<string, MediaWikiSlotJson>? Slots { get; init; }
}

internal sealed record MediaWikiSlotJson
{
    [JsonPropertyName("content")] public string? Content { get; init; }
}

internal sealed record MediaWikiImageInfoJson
{
    [JsonPropertyName("url")] public string? Url { get; init; }
    [JsonPropertyName("descriptionurl")] public string? DescriptionUrl { get; init; }
    [JsonPropertyName("thumburl")] public string? ThumbUrl { get; init; }
    [JsonPropertyName("thumbwidth")] public int? ThumbWidth { get; init; }
    [JsonPropertyName("thumbheight")] public int? ThumbHeight { get; init; }
    [JsonPropertyName("width")] public int Width { get; init; }
    [JsonPropertyName("height")] public int Height { get; init; }
    [JsonPropertyName("size")] public long Size { get; init; }
    [JsonPropertyName("mime")] public string? Mime { get; init; }
    [JsonPropertyName("extmetadata")] public Dictionary<string, MediaWikiExtMetadataValueJson>? ExtMetadata { get; init; }
}

internal sealed record MediaWikiExtMetadataValueJson
{
    /// <summary>Usually a string (often HTML); kept as JSON because some fields are numbers.</summary>
    [JsonPropertyName("value")] public JsonElement Value { get; init; }
}
