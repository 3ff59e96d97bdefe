namespace AspireMmRag.Gateway.Model;

/// <summary>The body of <c>POST /api/search</c>: retrieval without a language model.</summary>
public sealed record SearchRequest
{
    public string? Query { get; init; }
    public int? TopK { get; init; }
    public int? ImageTopK { get; init; }

    /// <summary><c>text</c>, <c>image</c> or <c>both</c> (the default).</summary>
    public string? Modality { get; init; }

    /// <summary>How passages are searched: <c>hybrid</c> (the default: dense + BM25, reciprocal-rank fused), <c>dense</c> or <c>bm25</c>.</summary>
    public string? Mode { get; init; }

    public IReadOnlyList<string>? DocumentIds { get; init; }
    public IReadOnlyList<string>? Sources { get; init; }
}

/// <summary>Passages (numbered as they would be cited) and images; <see cref="Mode"/> says how passages were searched (null
/// for a search by image). A passage's score is its cosine similarity (dense), its BM25 score (bm25), or its reciprocal-rank
/// fusion score (hybrid).</summary>
public sealed record SearchResponse(IReadOnlyList<Citation> Text, IReadOnlyList<ImageHit> Images, string? Mode = null);
