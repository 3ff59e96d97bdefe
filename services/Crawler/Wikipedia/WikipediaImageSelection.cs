namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>The images of a page worth downloading, and the others with why they were skipped.</summary>
public sealed record WikipediaImageSelection(IReadOnlyList<WikipediaImageCandidate> Selected, IReadOnlyList<(WikipediaImageCandidate Image, string Reason)> Skipped);
