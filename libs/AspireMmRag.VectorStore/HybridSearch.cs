namespace AspireMmRag.VectorStore;

/// <summary>How dense and full-text (BM25) passage results are fused: weighted reciprocal-rank fusion,
/// score(d) = Σ wᵢ / (k + rankᵢ(d)) with ranks from 1, over the first <see cref="CandidatesPerLeg"/> hits of each list.</summary>
public sealed record HybridSearchOptions
{
    public static readonly HybridSearchOptions Default = new();

    /// <summary>The RRF constant k (Cormack et al. 2009 and Milvus, Elasticsearch, Azure AI Search use 60).</summary>
    public int RrfK { get; init; } = 60;
    public float DenseWeight { get; init; } = 1f;
    public float TextWeight { get; init; } = 1f;

    /// <summary>Hits taken from each list before fusing; 0 means max(4 × top-k, 40).</summary>
    public int CandidatesPerLeg { get; init; }

    public int EffectiveCandidates(int topK) => CandidatesPerLeg > 0 ? CandidatesPerLeg : Math.Max(4 * topK, 40);
}

/// <summary>One fused passage: <see cref="Score"/> is the RRF score; the per-list scores and ranks (from 1) are there when the
/// backend reports them (the embedded store does; Milvus's server-side fusion returns only the fused score).</summary>
public sealed record HybridPassageHit(PassageRecord Record, float Score, float? DenseScore, int? DenseRank, float? TextScore, int? TextRank);

/// <summary>The fused passages, best first, and how long each list took when the backend ran them separately.</summary>
public sealed record HybridSearchResult(IReadOnlyList<HybridPassageHit> Hits, TimeSpan? DenseTime, TimeSpan? TextTime);
