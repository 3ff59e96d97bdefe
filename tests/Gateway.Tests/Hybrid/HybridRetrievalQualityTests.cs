using AspireMmRag.VectorStore;
using Xunit.Abstractions;

namespace AspireMmRag.Gateway.Tests.Hybrid;

/// <summary>
/// Issue 8, "Measured, not assumed": on the labelled set of look-alike articles, hybrid retrieval (BM25 + dense fused by
/// reciprocal rank, default options) must not be worse than dense retrieval alone on hit@1 or MRR over all questions, and must
/// beat it on the questions that hinge on a rare name or date. Document-level ranks: the first passage of the labelled document.
/// </summary>
public sealed class HybridRetrievalQualityTests(HybridRetrievalFixture fixture, ITestOutputHelper output) : IClassFixture<HybridRetrievalFixture>
{
    [Fact]
    public void Hybrid_is_not_worse_than_dense_on_hit_at_1_or_MRR_over_the_whole_set()
    {
        Print();
        var dense = RetrievalEvaluation.Score(fixture.Ranks, RetrievalMode.Dense);
        var hybrid = RetrievalEvaluation.Score(fixture.Ranks, RetrievalMode.Hybrid);
        Assert.True(hybrid.HitAt1 >= dense.HitAt1, $"hybrid hit@1 {hybrid.HitAt1:F2} < dense {dense.HitAt1:F2}");
        Assert.True(hybrid.Mrr >= dense.Mrr, $"hybrid MRR {hybrid.Mrr:F3} < dense {dense.Mrr:F3}");
    }

    [Fact]
    public void Hybrid_beats_dense_on_the_keyword_questions()
    {
        Print(QueryKinds.Keyword);
        var dense = RetrievalEvaluation.Score(fixture.Ranks, RetrievalMode.Dense, QueryKinds.Keyword);
        var hybrid = RetrievalEvaluation.Score(fixture.Ranks, RetrievalMode.Hybrid, QueryKinds.Keyword);
        Assert.True(hybrid.Mrr > dense.Mrr, $"keyword questions: hybrid MRR {hybrid.Mrr:F3} is not above dense {dense.Mrr:F3}");
        Assert.True(hybrid.HitAt1 >= dense.HitAt1, $"keyword questions: hybrid hit@1 {hybrid.HitAt1:F2} < dense {dense.HitAt1:F2}");
        Assert.True(hybrid.HitAt4 >= dense.HitAt4, $"keyword questions: hybrid hit@4 {hybrid.HitAt4:F2} < dense {dense.HitAt4:F2}");
    }

    [Fact]
    public void Full_text_search_alone_finds_the_keyword_questions_documents()
    {
        // The BM25 leg is what hybrid adds: it must be a real full-text index of the passages (diacritics folded: "Simkus",
        // "Torshavn", "Hue" in the questions), not an empty list.
        var bm25 = RetrievalEvaluation.Score(fixture.Ranks, RetrievalMode.Bm25, QueryKinds.Keyword);
        output.WriteLine($"BM25 on keyword questions: hit@1 {bm25.HitAt1:F2}, hit@4 {bm25.HitAt4:F2}, MRR {bm25.Mrr:F3}");
        Assert.True(bm25.HitAt4 >= 0.8, $"BM25 hit@4 on keyword questions {bm25.HitAt4:F2}");
    }

    [Fact]
    public void The_labelled_set_has_the_specified_shape()
    {
        var set = fixture.Set;
        output.WriteLine($"{set.Documents.Count} documents, {fixture.Passages.Count} passages, {set.Questions.Count} questions; set-up {fixture.SetUpTime.TotalSeconds:F1} s");
        Assert.True(set.Documents.Count >= 32);
        var clusters = set.Documents.GroupBy(d => d.Cluster).ToList();
        Assert.Equal(8, clusters.Count);
        Assert.All(clusters, cluster => Assert.True(cluster.Count() >= 4, cluster.Key));
        Assert.All(set.Documents, d =>
        {
            Assert.InRange(d.Words, 300, 700);
            Assert.True(d.Sections.Count(s => s.Level == 2) >= 3, $"{d.Slug}: fewer than three ## sections");
        });
        Assert.Equal(100, set.Questions.Count);
        Assert.Equal(set.Questions.Count, set.Questions.Select(q => q.Id).Distinct().Count());
        var kinds = set.Questions.GroupBy(q => q.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(35, kinds[QueryKinds.Paraphrase]);
        Assert.Equal(40, kinds[QueryKinds.Keyword]);
        Assert.Equal(25, kinds[QueryKinds.Sibling]);
        Assert.All(set.Documents, d => Assert.Contains(set.Questions, q => q.Document == d.Slug));
        // Every passage is findable: chunked with its heading, stored under its document.
        Assert.All(fixture.Passages, p => Assert.StartsWith(p.Title, p.Text, StringComparison.Ordinal));
        Assert.Equal(set.Documents.Count, fixture.Passages.Select(p => p.DocumentId).Distinct().Count());
    }

    private void Print(string? kind = null)
    {
        output.WriteLine(string.Join(" | ", RetrievalEvaluation.TableHeader));
        foreach (var row in RetrievalEvaluation.Table(fixture.Ranks))
        {
            output.WriteLine(string.Join(" | ", row));
        }
        var ranks = kind is null ? fixture.Ranks : [.. fixture.Ranks.Where(r => r.Question.Kind == kind)];
        output.WriteLine("");
        output.WriteLine("Hybrid ranks the labelled document lower than dense:");
        foreach (var line in RetrievalEvaluation.HybridLosses(ranks))
        {
            output.WriteLine("  " + line);
        }
        output.WriteLine("Hybrid ranks it higher than dense:");
        foreach (var line in RetrievalEvaluation.HybridGains(ranks))
        {
            output.WriteLine("  " + line);
        }
    }
}
