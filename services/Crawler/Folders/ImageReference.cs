namespace AspireMmRag.Crawler.Folders;

/// <summary>An image a document points to (<c>![alt](src)</c>, <c>&lt;img src alt&gt;</c>), with the caption the document gives it ("" when none).</summary>
public sealed record ImageReference(string Source, string Caption);
