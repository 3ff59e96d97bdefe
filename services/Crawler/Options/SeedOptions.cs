namespace AspireMmRag.Crawler.Options;

/// <summary>What the crawler asks itself to crawl once at start-up. Bound from <c>Crawler:Seed</c>.</summary>
public sealed class SeedOptions
{
    public const string SectionName = "Crawler:Seed";

    public static readonly IReadOnlyList<string> DefaultWikipediaTitles = ["Helsinki", "iPhone", "The Sopranos"];

    /// <summary>Unset: <see cref="DefaultWikipediaTitles"/>. A configured list replaces the defaults; an empty value
    /// (<c>Crawler__Seed__WikipediaTitles=""</c>) seeds none.</summary>
    public string[]? WikipediaTitles { get; set; }

    /// <summary>Folders under <c>Crawler:Folders:Roots</c> (absolute, or relative to the first root). None by default.</summary>
    public string[]? Folders { get; set; }

    /// <summary>Time allowed for publishing one seed request (the broker may still be starting).</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public IReadOnlyList<string> EffectiveWikipediaTitles =>
        (WikipediaTitles ?? DefaultWikipediaTitles).Where(title => !string.IsNullOrWhiteSpace(title)).ToArray();

    public IReadOnlyList<string> EffectiveFolders => (Folders ?? []).Where(folder => !string.IsNullOrWhiteSpace(folder)).ToArray();
}
