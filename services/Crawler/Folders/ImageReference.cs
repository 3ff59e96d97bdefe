namespace AspireMmRag.Crawler.Folders;

/// <summary>An image a document points to (<c>![alt](src)</c>, <c>&lt;img src alt&gt;</c>), with the caption the document gives it ("" when none)
/// and the <see cref="Messaging.DocumentSection.Path"/> of the section it appears in ("" in the lead section).</summary>
public sealed record ImageReference(string Source, string Caption, string Section = "");
