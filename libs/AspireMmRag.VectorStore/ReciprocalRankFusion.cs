namespace AspireMmRag.VectorStore;

/// <summary>Weighted reciprocal-rank fusion of a dense and a full-text passage list (<see cref="HybridSearchOptions"/>):
/// score(d) = Σ wᵢ / (k + rankᵢ(d)), ranks from 1; ties keep the dense order, then the text order.</summary>
public static class ReciprocalRankFusion
{
    public static IReadOnlyList<HybridPassageHit> Fuse(IReadOnlyList<VectorSearchHit<PassageRecord>> dense,
        IReadOnlyList<VectorSearchHit<PassageRecord>> text, HybridSearchOptions options, int topK)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RrfK, 1, nameof(options.RrfK));
        var fused = new Dictionary<string, Entry>(dense.Count + text.Count, StringComparer.Ordinal);
        for (var i = 0; i < dense.Count; i++)
        {
            var entry = Get(fused, dense[i].Record, order: i);
            entry.Score += options.DenseWeight / (options.RrfK + i + 1);
            entry.DenseScore = dense[i].Score;
            entry.DenseRank = i + 1;
        }
        for (var i = 0; i < text.Count; i++)
        {
            var entry = Get(fused, text[i].Record, order: dense.Count + i);
            entry.Score += options.TextWeight / (options.RrfK + i + 1);
            entry.TextScore = text[i].Score;
            entry.TextRank = i + 1;
        }
        return fused.Values
            .Where(entry => entry.Score > 0)
            .OrderByDescending(entry => entry.Score).ThenBy(entry => entry.Order)
            .Take(topK)
            .Select(entry => new HybridPassageHit(entry.Record, (float)entry.Score, entry.DenseScore, entry.DenseRank, entry.TextScore, entry.TextRank))
            .ToArray();
    }

    private static Entry Get(Dictionary<string, Entry> fused, PassageRecord record, int order)
    {
        if (!fused.TryGetValue(record.Id, out var entry))
        {
            entry = new Entry(record, order);
            fused[record.Id] = entry;
        }
        return entry;
    }

    private sealed class Entry(PassageRecord record, int order)
    {
        public PassageRecord Record { get; } = record;
        public int Order { get; } = order;
        public double Score { get; set; }
        public float? DenseScore { get; set; }
        public int? DenseRank { get; set; }
        public float? TextScore { get; set; }
        public int? TextRank { get; set; }
    }
}
