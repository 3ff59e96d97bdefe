namespace AspireMmRag.Gateway.Model;

/// <summary>The body of <c>POST /api/search</c>: retrieval without a language model.</summary>
public sealed record SearchRequest
{
    public string? Query { get; init; }
    public int? TopK { get; init; }
    public int? ImageTopK { get; init; }

    /// <summary><c>text</c>, <c>image</c> or <c>both</c> (the default).</summary>
    public string? Modality { get; init; }

    public IReadOnlyList<string>? DocumentIds { get; init; }
    public IReadOnlyList<string>? Sources { get; init; }
}

/// <summary>Passages (numbered as they would be cited) and images.</summary>
public sealed record SearchResponse(IReadOnlyList<Citation> Text, IReadOnlyList<ImageHit> Images);
