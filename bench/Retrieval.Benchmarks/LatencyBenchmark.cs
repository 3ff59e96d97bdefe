using System.Diagnostics;
using System.Globalization;
using AspireMmRag.Benchmarks;
using AspireMmRag.VectorStore;
using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.Retrieval.Benchmarks;

/// <summary>What the latency part runs, from the command line.</summary>
public sealed record LatencySettings
{
    public bool Quick { get; init; }
    public bool WriteReport { get; init; } = true;
    public int Passages => 10_000;
    public int PassagesPerDocument => 10;
    public int Questions => 200;
    public int WarmUp => Quick ? 50 : 200;
    public int Iterations => Quick ? 300 : 2_000;
    public int TopK => 4; // the gateway's default search
    public double Target => 1.3;

    public static LatencySettings Parse(IReadOnlyList<string> args)
    {
        var settings = new LatencySettings();
        foreach (var arg in args)
        {
            settings = arg switch
            {
                "--quick" => settings with { Quick = true },
                "--no-report" => settings with { WriteReport = false },
                _ => throw new ArgumentException($"Unknown argument '{arg}'."),
            };
        }
        return settings;
    }
}

/// <summary>
/// The latency hybrid adds over dense: a 10k-passage embedded store of English-like prose (<see cref="EnglishProse"/>, on topics
/// of this benchmark's own), opened as a Reader as the gateway opens it, searched with the same query vector and text by
/// <c>SearchPassagesAsync</c> (dense), <c>SearchPassagesByTextAsync</c> (BM25) and <c>SearchPassagesHybridAsync</c> (default
/// options), one call at a time, the order of dense and hybrid alternating per iteration, once its in-memory full-text index
/// is built; then BM25 and hybrid again on a reader with that index off (SQLite FTS5 alone).
/// </summary>
public sealed class LatencyBenchmark(LatencySettings settings)
{
    private const int Dimension = 384;

    public async Task RunAsync(string directory, MarkdownLog log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(42);
        var texts = new List<int>();
        await using (var writer = new EmbeddedVectorStore(new EmbeddedVectorStoreOptions { Directory = directory, Role = VectorStoreRole.Writer }))
        {
            await writer.EnsureCollectionsAsync(new CollectionDimensions(Dimension, 512), cancellationToken);
            var rows = Enumerable.Range(0, settings.Passages).Select(i =>
            {
                var document = i / settings.PassagesPerDocument;
                var topic = Topics[document % Topics.Length];
                var text = EnglishProse.Sentences(new Random(10_000 + i), topic, new Random(20_000 + i).Next(60, 121), commas: true);
                texts.Add(text.Split(' ').Length);
                return new PassageRecord
                {
                    Id = $"p{i:D5}",
                    DocumentId = $"bench:doc/{document:D4}",
                    Source = "bench",
                    Title = $"{char.ToUpperInvariant(topic[0][0])}{topic[0][1..]} notes {document}",
                    Url = $"https://bench.example/doc/{document:D4}",
                    Section = $"Part {i % settings.PassagesPerDocument}",
                    ChunkIndex = i % settings.PassagesPerDocument,
                    Text = text,
                    Revision = "1",
                    Vector = UnitVector(random),
                };
            }).ToList();
            foreach (var batch in rows.Chunk(1_000))
            {
                await writer.UpsertPassagesAsync(batch, cancellationToken);
            }
        }
        var writeTime = clock.Elapsed;

        var questions = Enumerable.Range(0, settings.Questions).Select(Question).ToArray();
        var queryVectors = Enumerable.Range(0, settings.Questions).Select(_ => UnitVector(random)).ToArray();
        var options = new VectorSearchOptions { TopK = settings.TopK };

        // The gateway's reader: its first full-text search asks for the in-memory index (FTS5 answers until it is built).
        await using var store = new EmbeddedVectorStore(new EmbeddedVectorStoreOptions { Directory = directory, Role = VectorStoreRole.Reader });
        await store.SearchPassagesAsync(queryVectors[0], options, cancellationToken); // opens the collection (its vectors)
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var build = Stopwatch.StartNew();
        await store.SearchPassagesByTextAsync(questions[0], options, cancellationToken);
        var firstRoute = store.LastTextRoute;
        await store.WaitForTermIndexAsync(cancellationToken);
        build.Stop();
        var heapGrowth = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;

        var dense = new List<double>();
        var text = new List<double>();
        var hybrid = new List<double>();
        var ratios = new List<double>();
        var legDense = new List<double>();
        var legText = new List<double>();
        var textHits = 0L;
        var fromMemory = 0;
        for (var i = -settings.WarmUp; i < settings.Iterations; i++)
        {
            var q = ((i % questions.Length) + questions.Length) % questions.Length;
            double denseMs, hybridMs;
            if (i % 2 == 0)
            {
                denseMs = await TimeAsync(() => store.SearchPassagesAsync(queryVectors[q], options, cancellationToken));
                hybridMs = await TimeAsync(() => store.SearchPassagesHybridAsync(queryVectors[q], questions[q], options, HybridSearchOptions.Default, cancellationToken));
            }
            else
            {
                hybridMs = await TimeAsync(() => store.SearchPassagesHybridAsync(queryVectors[q], questions[q], options, HybridSearchOptions.Default, cancellationToken));
                denseMs = await TimeAsync(() => store.SearchPassagesAsync(queryVectors[q], options, cancellationToken));
            }
            var hybridRoute = store.LastTextRoute;
            var start = Stopwatch.GetTimestamp();
            var hits = await store.SearchPassagesByTextAsync(questions[q], options, cancellationToken);
            var textMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var textRoute = store.LastTextRoute;
            var fused = await store.SearchPassagesHybridAsync(queryVectors[q], questions[q], options, HybridSearchOptions.Default, cancellationToken);
            if (i < 0)
            {
                continue;
            }
            dense.Add(denseMs);
            hybrid.Add(hybridMs);
            text.Add(textMs);
            ratios.Add(hybridMs / denseMs);
            textHits += hits.Count;
            fromMemory += (hybridRoute == TextSearchRoute.Memory ? 1 : 0) + (textRoute == TextSearchRoute.Memory ? 1 : 0);
            if (fused.DenseTime is { } d && fused.TextTime is { } t)
            {
                legDense.Add(d.TotalMilliseconds);
                legText.Add(t.TotalMilliseconds);
            }
        }

        // The same searches with the in-memory index off (TermIndexMaxRows 0): FTS5 alone, as above the row limit.
        await using var fts5 = new EmbeddedVectorStore(new EmbeddedVectorStoreOptions { Directory = directory, Role = VectorStoreRole.Reader, TermIndexMaxRows = 0 });
        var fts5Text = new List<double>();
        var fts5Hybrid = new List<double>();
        var fts5Iterations = settings.Iterations / 4;
        for (var i = -settings.WarmUp; i < fts5Iterations; i++)
        {
            var q = ((i % questions.Length) + questions.Length) % questions.Length;
            var textMs = await TimeAsync(() => fts5.SearchPassagesByTextAsync(questions[q], options, cancellationToken));
            var hybridMs = await TimeAsync(() => fts5.SearchPassagesHybridAsync(queryVectors[q], questions[q], options, HybridSearchOptions.Default, cancellationToken));
            if (i >= 0)
            {
                fts5Text.Add(textMs);
                fts5Hybrid.Add(hybridMs);
            }
        }

        var words = texts.ToArray();
        log.Heading($"2. Added latency of hybrid over dense ({settings.Passages:N0} passages, top {settings.TopK}, {settings.Iterations:N0} iterations after {settings.WarmUp} warm-up, one call at a time)");
        log.Line($"Store: {settings.Passages:N0} passages in {settings.Passages / settings.PassagesPerDocument:N0} documents of English-like prose (Benchmarks.Common's EnglishProse on {Topics.Length} topics, {words.Min()}–{words.Max()} words, mean {words.Average():F0}), " +
                 $"{Dimension}-d seeded random unit vectors (below ExactScanThreshold 20,000 every dense search is an exact scan, whose cost does not depend on the values), written as the Writer in {writeTime.TotalSeconds:F1} s, searched as a Reader (default options) as the gateway does.");
        log.Line($"In-memory full-text index: built in the background after the reader's first text search (served by {firstRoute}) in {build.Elapsed.TotalMilliseconds:F0} ms; " +
                 $"the managed heap grew by {heapGrowth / 1e6:F1} MB with it ({settings.Passages:N0} passages, {words.Average():F0} words each). " +
                 $"{fromMemory:N0} of the {2 * settings.Iterations:N0} timed full-text and hybrid searches were served from it.");
        log.Line($"Queries: {questions.Length} generated questions of {questions.Min(q => q.Split(' ').Length)}–{questions.Max(q => q.Split(' ').Length)} words on the same topics (e.g. \"{questions[0]}\"), each with a random query vector; BM25 returned {textHits / (double)settings.Iterations:F1} of {settings.TopK} hits on average.");
        log.Table(["search", "p50", "p95", "p99", "mean"],
        [
            Row("dense (`SearchPassagesAsync`)", dense),
            Row("BM25 alone (`SearchPassagesByTextAsync`)", text),
            Row("**hybrid** (`SearchPassagesHybridAsync`, default options: 40 candidates per leg)", hybrid),
            .. legDense.Count > 0 ? new[] { Row("hybrid's dense leg (its `DenseTime`)", legDense), Row("hybrid's BM25 leg (its `TextTime`)", legText) } : [],
            Row($"BM25 on FTS5 (in-memory index off; {fts5Iterations:N0} iterations)", fts5Text),
            Row($"hybrid on FTS5 (in-memory index off; {fts5Iterations:N0} iterations)", fts5Hybrid),
        ]);
        var ratio = Percentiles.Of(hybrid, 50) / Percentiles.Of(dense, 50);
        log.Line($"**Hybrid p50 / dense p50: {ratio:F2}** (p95 ratio {Percentiles.Of(hybrid, 95) / Percentiles.Of(dense, 95):F2}; median of the per-iteration ratios {Percentiles.Of(ratios, 50):F2}); target ≤ {settings.Target:F1}: **{(ratio <= settings.Target ? "met" : "missed")}**. " +
                 $"Added latency at p50: {Percentiles.Of(hybrid, 50) - Percentiles.Of(dense, 50):F2} ms.");
    }

    private static async Task<double> TimeAsync<T>(Func<Task<T>> search)
    {
        var start = Stopwatch.GetTimestamp();
        await search();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static IReadOnlyList<string> Row(string name, List<double> values) =>
        [name, Ms(Percentiles.Of(values, 50)), Ms(Percentiles.Of(values, 95)), Ms(Percentiles.Of(values, 99)), Ms(values.Average())];

    private static string Ms(double ms) => ms.ToString("F2", CultureInfo.InvariantCulture) + " ms";

    private static float[] UnitVector(Random random)
    {
        var vector = new float[Dimension];
        var norm = 0.0;
        for (var d = 0; d < Dimension; d++)
        {
            var u1 = 1.0 - random.NextDouble();
            var value = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * random.NextDouble()));
            vector[d] = value;
            norm += value * value;
        }
        var scale = (float)(1 / Math.Sqrt(norm));
        for (var d = 0; d < Dimension; d++)
        {
            vector[d] *= scale;
        }
        return vector;
    }

    private static string Question(int seed)
    {
        var random = new Random(30_000 + seed);
        var topic = Topics[seed % Topics.Length];
        string Pick(string[] words) => words[random.Next(words.Length)];
        var question = random.Next(3) switch
        {
            0 => $"How does the {Pick(EnglishProse.Adjectives)} {Pick(topic)} {Pick(EnglishProse.Verbs)} the {Pick(topic)}?",
            1 => $"Which {Pick(topic)} {Pick(EnglishProse.Verbs)} {Pick(EnglishProse.Adjectives)} {Pick(topic)} in {random.Next(1850, 2025)}?",
            _ => $"Why is the {Pick(topic)} near the {Pick(topic)} so {Pick(EnglishProse.Adjectives)}?",
        };
        return question;
    }

    private static readonly string[][] Topics =
    [
        ["lighthouse", "keeper", "lantern", "reef", "signal", "fog", "beacon", "coastline", "gale", "keel"],
        ["orchard", "apple", "blossom", "cider", "grafting", "frost", "beehive", "harvest", "pruning", "cellar"],
        ["glacier", "moraine", "crevasse", "icefield", "meltwater", "snowline", "avalanche", "summit", "ridge", "valley"],
        ["monastery", "abbot", "cloister", "manuscript", "scriptorium", "chapel", "relic", "pilgrim", "bell", "vault"],
        ["locomotive", "boiler", "viaduct", "signalman", "timetable", "platform", "freight", "junction", "tunnel", "depot"],
        ["telescope", "comet", "nebula", "observatory", "eclipse", "orbit", "spectrum", "meteor", "planet", "lens"],
        ["harbour", "trawler", "quay", "herring", "net", "tide", "warehouse", "crane", "ferry", "pier"],
        ["symphony", "orchestra", "conductor", "overture", "violin", "cantata", "rehearsal", "choir", "score", "premiere"],
        ["cathedral", "nave", "buttress", "spire", "window", "altar", "crypt", "organ", "portal", "choir stalls"],
        ["volcano", "crater", "lava", "ash", "caldera", "magma", "eruption", "fumarole", "basalt", "lahar"],
        ["handset", "battery", "keyboard", "antenna", "firmware", "screen", "stylus", "charger", "camera", "modem"],
        ["detective", "inspector", "witness", "alibi", "precinct", "suspect", "verdict", "evidence", "warrant", "informer"],
    ];
}
