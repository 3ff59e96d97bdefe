namespace AspireMmRag.Indexer.Chunking;

/// <summary>How documents are cut into passages. Bound from <c>Chunking</c>.</summary>
public sealed class ChunkingOptions
{
    public const string SectionName = "Chunking";

    /// <summary>Estimated WordPiece tokens per chunk. The passage model reads at most 512 tokens; the estimate
    /// (<see cref="TokenEstimator"/>) errs high, so the default leaves ample room under that limit.</summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>Estimated tokens repeated from the end of one chunk at the start of the next.</summary>
    public int OverlapTokens { get; set; } = 48;

    /// <summary>Prefix each chunk with its document title and section path, so a chunk read alone still says what it is about.</summary>
    public bool IncludeHeading { get; set; } = true;
}
