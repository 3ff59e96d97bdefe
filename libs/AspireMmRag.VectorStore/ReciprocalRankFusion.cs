namespace AspireMmRag.VectorStore;

/// <summary>Weighted reciprocal-rank fusion of a dense and a full-text passage list (<see cref="HybridSearchOptions"/>):
/// score(d) = Σ wᵢ / (k + rankᵢ(d)), ranks from 1; ties keep the dense order, then the text order.</summary>
public static class ReciprocalRankFusion
{
    public static IReadOnlyList<HybridPassageHit> Fuse(IReadOnlyList<VectorSearchHit<PassageRecord>> dense,
        IReadOnlyList<VectorSearchHit<PassageRecord>> text, HybridSearchOptions options, int topK) =>
        Fuse(dense, text, hit => hit.Record.Id, hit => hit.Score, options)
            .Take(topK)
            .Select(fused => new HybridPassageHit(fused.Item.Record, (float)fused.Score, fused.DenseScore, fused.DenseRank, fused.TextScore, fused.TextRank))
            .ToArray();

    /// <summary>The fusion of two ranked lists of any items that <paramref name="key"/> identifies, every item of
    /// either list, best first (the item kept is the first seen: the dense one when it is in both).</summary>
    internal static List<FusedItem<T>> Fuse<T, TKey>(IReadOnlyList<T> dense, IReadOnlyList<T> text, Func<T, TKey> key, Func<T, float> score,
        HybridSearchOptions options)
        where TKey : notnull
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RrfK, 1, nameof(options.RrfK));
        var positions = new Dictionary<TKey, int>(dense.Count + text.Count);
        var list = new List<FusedItem<T>>(dense.Count + text.Count);
        for (var i = 0; i < dense.Count; i++)
        {
            var entry = Get(positions, list, key(dense[i]), dense[i]);
            entry.Score += options.DenseWeight / (options.RrfK + i + 1);
            entry.DenseScore = score(dense[i]);
            entry.DenseRank = i + 1;
        }
        for (var i = 0; i < text.Count; i++)
        {
            var entry = Get(positions, list, key(text[i]), text[i]);
            entry.Score += options.TextWeight / (options.RrfK + i + 1);
            entry.TextScore = score(text[i]);
            entry.TextRank = i + 1;
        }
        list.RemoveAll(static entry => !(entry.Score > 0));
        list.Sort(static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Order.CompareTo(b.Order));
        return list;
    }

    private static FusedItem<T> Get<T, TKey>(Dictionary<TKey, int> positions, List<FusedItem<T>> list, TKey key, T item)
        where TKey : notnull
    {
        ref var position = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(positions, key, out var exists);
        if (exists)
        {
            return list[position];
        }
        position = list.Count;
        var entry = new FusedItem<T>(item, list.Count);
        list.Add(entry);
        return entry;
    }
}

/// <summary>One item of a fused list: its RRF score and, per list it is in, its score there and rank (from 1).</summary>
internal sealed class FusedItem<T>(T item, int order)
{
    public T Item { get; } = item;
    public int Order { get; } = order;
    public double Score { get; set; }
    public float? DenseScore { get; set; }
    public int? DenseRank { get; set; }
    public float? TextScore { get; set; }
    public int? TextRank { get; set; }
}
