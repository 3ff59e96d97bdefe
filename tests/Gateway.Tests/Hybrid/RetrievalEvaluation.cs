using System.Globalization;
using AspireMmRag.VectorStore;

namespace AspireMmRag.Gateway.Tests.Hybrid;

public enum RetrievalMode
{
    Dense,
    Bm25,
    Hybrid,
}

/// <summary>Where the labelled document's first passage came in each mode's list (from 1), or null when it was not in the top
/// <see cref="RetrievalEvaluation.TopK"/>.</summary>
public sealed record QuestionRanks(LabelledSet.Question Question, int? Dense, int? Bm25, int? Hybrid)
{
    public int? Of(RetrievalMode mode) => mode switch
    {
        RetrievalMode.Dense => Dense,
        RetrievalMode.Bm25 => Bm25,
        _ => Hybrid,
    };
}

/// <summary>hit@1, hit@4 and MRR (reciprocal rank of the labelled document's first passage; 0 when it is not in the list).</summary>
public sealed record RetrievalScores(int Questions, double HitAt1, double HitAt4, double Mrr)
{
    public static RetrievalScores Of(IReadOnlyCollection<int?> ranks) => new(
        ranks.Count,
        ranks.Count(r => r == 1) / (double)ranks.Count,
        ranks.Count(r => r <= 4) / (double)ranks.Count,
        ranks.Sum(r => r is { } rank ? 1.0 / rank : 0) / ranks.Count);
}

/// <summary>Runs every labelled question in the three modes against a store holding the set (<see cref="RetrievalSetIndex"/>).</summary>
public static class RetrievalEvaluation
{
    /// <summary>Passages per list. With the default <see cref="HybridSearchOptions"/> the fused list then draws on
    /// max(4 × 10, 40) = 40 candidates per leg, as the gateway's default search (top 4) does, so its first four are the gateway's.</summary>
    public const int TopK = 10;

    public static async Task<IReadOnlyList<QuestionRanks>> RunAsync(IVectorStore store, LabelledSet set, IReadOnlyList<float[]> queryVectors,
        HybridSearchOptions hybrid, CancellationToken cancellationToken)
    {
        var options = new VectorSearchOptions { TopK = TopK };
        var ranks = new List<QuestionRanks>(set.Questions.Count);
        for (var i = 0; i < set.Questions.Count; i++)
        {
            var question = set.Questions[i];
            var expected = set.DocumentIdOf(question);
            var dense = await store.SearchPassagesAsync(queryVectors[i], options, cancellationToken);
            var text = await store.SearchPassagesByTextAsync(question.Text, options, cancellationToken);
            var fused = await store.SearchPassagesHybridAsync(queryVectors[i], question.Text, options, hybrid, cancellationToken);
            ranks.Add(new QuestionRanks(question,
                Rank(dense.Select(h => h.Record.DocumentId), expected),
                Rank(text.Select(h => h.Record.DocumentId), expected),
                Rank(fused.Hits.Select(h => h.Record.DocumentId), expected)));
        }
        return ranks;
    }

    public static RetrievalScores Score(IEnumerable<QuestionRanks> ranks, RetrievalMode mode, string? kind = null) =>
        RetrievalScores.Of([.. ranks.Where(r => kind is null || r.Question.Kind == kind).Select(r => r.Of(mode))]);

    /// <summary>One row per mode and question kind (all first): mode, kind, questions, hit@1, hit@4, MRR.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Table(IReadOnlyList<QuestionRanks> ranks)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var kind in new string?[] { null }.Concat(QueryKinds.All))
        {
            foreach (var mode in Enum.GetValues<RetrievalMode>())
            {
                var scores = Score(ranks, mode, kind);
                rows.Add([kind ?? "all", Name(mode), scores.Questions.ToString(CultureInfo.InvariantCulture),
                    scores.HitAt1.ToString("F2", CultureInfo.InvariantCulture), scores.HitAt4.ToString("F2", CultureInfo.InvariantCulture),
                    scores.Mrr.ToString("F3", CultureInfo.InvariantCulture)]);
            }
        }
        return rows;
    }

    public static IReadOnlyList<string> TableHeader { get; } = ["questions", "mode", "n", "hit@1", "hit@4", "MRR"];

    public static string Name(RetrievalMode mode) => mode switch
    {
        RetrievalMode.Dense => "dense",
        RetrievalMode.Bm25 => "BM25",
        _ => "hybrid",
    };

    /// <summary>The questions whose labelled document hybrid ranks lower than dense does ("q012 keyword: dense 1, BM25 –, hybrid 3 — text").</summary>
    public static IReadOnlyList<string> HybridLosses(IReadOnlyList<QuestionRanks> ranks) =>
        [.. ranks.Where(r => Worse(r.Hybrid, r.Dense)).Select(Describe)];

    /// <summary>The questions whose labelled document hybrid ranks higher than dense does.</summary>
    public static IReadOnlyList<string> HybridGains(IReadOnlyList<QuestionRanks> ranks) =>
        [.. ranks.Where(r => Worse(r.Dense, r.Hybrid)).Select(Describe)];

    public static string Describe(QuestionRanks r) =>
        $"{r.Question.Id} {r.Question.Kind} ({r.Question.Document}): dense {Show(r.Dense)}, BM25 {Show(r.Bm25)}, hybrid {Show(r.Hybrid)} — {r.Question.Text}";

    private static bool Worse(int? rank, int? than) => (rank ?? int.MaxValue) > (than ?? int.MaxValue);

    private static string Show(int? rank) => rank?.ToString(CultureInfo.InvariantCulture) ?? "–";

    private static int? Rank(IEnumerable<string> documentIds, string expected)
    {
        var rank = 0;
        foreach (var id in documentIds)
        {
            rank++;
            if (id == expected)
            {
                return rank;
            }
        }
        return null;
    }
}
