using System.Diagnostics;
using System.Globalization;
using System.Text;
using AspireMmRag.Benchmarks;
using AspireMmRag.Embedding;
using AspireMmRag.Gateway.Tests.Hybrid;
using AspireMmRag.VectorStore;
using AspireMmRag.VectorStore.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Retrieval.Benchmarks;

/// <summary>The hybrid retrieval benchmark: quality on the labelled set, then the latency of hybrid against dense.</summary>
public static class RetrievalBenchmark
{
    private const string Section = "hybrid-retrieval";
    private const string Usage = """
        Usage: Retrieval.Benchmarks [--quick] [--no-report]
          --quick      fewer latency queries (a smoke test)
          --no-report  print only; do not write docs/benchmarks.md
        """;

    public static async Task<int> Main(string[] args)
    {
        if (!BenchRun.TryParse(() => LatencySettings.Parse(args), Usage, out var settings) || settings is null)
        {
            return 2;
        }
        using var cancel = BenchRun.CancelOnSignals();
        var root = Directory.CreateTempSubdirectory("mmrag-retrieval-bench-");
        try
        {
            await RunAsync(settings, args, root.FullName, cancel.Token);
            return 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }
        finally
        {
            ChildProcess.KillAll();
            try
            {
                root.Delete(recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"Could not delete {root.FullName}: {ex.Message}");
            }
        }
    }

    private static async Task RunAsync(LatencySettings settings, string[] args, string root, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var loadAtStart = MachineFacts.LoadAverages();
        var log = new MarkdownLog();
        var command = "dotnet run -c Release --project bench/Retrieval.Benchmarks" + (args.Length > 0 ? " -- " + string.Join(' ', args) : "");
        Console.WriteLine($"Hybrid retrieval benchmark on {MachineFacts.Describe()}; load average {loadAtStart}");
#if DEBUG
        Console.WriteLine("WARNING: a Debug build; run with -c Release for meaningful figures.");
#endif

        var noClip = Directory.CreateDirectory(Path.Combine(root, "no-clip")).FullName;
        var embedderDll = Repository.ServiceDll("Embedder", "bench/Retrieval.Benchmarks");
        await using var embedder = ChildProcess.StartDotnet(embedderDll, new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Models__AutoDownload"] = "false",
            ["Models__Clip__Directory"] = noClip,
            ["Inference__ExecutionProvider"] = "Cpu",
        }, "Embedder");
        using var host = EmbedderClientHost(embedder.Url);
        var client = host.Services.GetRequiredService<EmbedderClient>();
        var model = await WaitForPassageModelAsync(client, embedder, cancellationToken);

        // 1. Quality on the labelled set.
        var set = LabelledSet.Load(LabelledSet.Locate(Repository.Root()));
        var clock = Stopwatch.StartNew();
        IReadOnlyList<PassageRecord> passages;
        IReadOnlyList<QuestionRanks> ranks;
        await using (var store = new EmbeddedVectorStore(new EmbeddedVectorStoreOptions { Directory = Path.Combine(root, "set"), Role = VectorStoreRole.Writer }))
        {
            passages = await RetrievalSetIndex.WriteAsync(client, store, set, cancellationToken);
            var queries = await RetrievalSetIndex.EmbedQuestionsAsync(client, set.Questions, cancellationToken);
            ranks = await RetrievalEvaluation.RunAsync(store, set, queries, HybridSearchOptions.Default, cancellationToken);
        }
        Console.WriteLine($"  labelled set indexed, embedded and searched in {clock.Elapsed.TotalSeconds:F1} s");

        var words = set.Documents.Select(d => d.Words).ToArray();
        log.Heading($"1. Quality on the labelled set ({set.Documents.Count} documents, {set.Questions.Count} questions)");
        log.Line($"Set: tests/RetrievalSet — {set.Documents.Count} original Wikipedia-style articles ({words.Min()}–{words.Max()} words) in {set.Documents.Select(d => d.Cluster).Distinct().Count()} clusters of look-alike topics, " +
                 $"chunked by the indexer's TextChunker (defaults: 256 tokens, 48 overlap, heading in the text) into {passages.Count} passages, embedded with {model} through the embedder (query prefix added by the embedder for the questions), in an embedded store (exact scan at this size).");
        log.Line($"Questions: {string.Join(", ", QueryKinds.All.Select(k => $"{set.Questions.Count(q => q.Kind == k)} {k}"))}. Rank = position of the labelled document's first passage in the list of {RetrievalEvaluation.TopK} " +
                 "(MRR counts 0 beyond it); hybrid with the default HybridSearchOptions (RRF k = 60, weights 1/1, 40 candidates per leg — the gateway's default search draws on the same 40, so hit@1 and hit@4 are what `/api/search` returns first).");
        log.Table(RetrievalEvaluation.TableHeader, RetrievalEvaluation.Table(ranks));
        var dense = RetrievalEvaluation.Score(ranks, RetrievalMode.Dense);
        var hybrid = RetrievalEvaluation.Score(ranks, RetrievalMode.Hybrid);
        log.Line($"**Hybrid vs dense over all questions: hit@1 {hybrid.HitAt1:F2} vs {dense.HitAt1:F2}, MRR {hybrid.Mrr:F3} vs {dense.Mrr:F3}: " +
                 $"{(hybrid.HitAt1 >= dense.HitAt1 && hybrid.Mrr >= dense.Mrr ? "hybrid is not worse" : "hybrid is WORSE")}.**");
        var losses = RetrievalEvaluation.HybridLosses(ranks);
        log.Line($"Questions hybrid ranks lower than dense ({losses.Count}): " + (losses.Count == 0 ? "none." : string.Join("; ", losses)));
        log.Line($"Questions hybrid ranks higher than dense: {RetrievalEvaluation.HybridGains(ranks).Count}.");

        // 2. Latency on the synthetic store.
        var latency = new LatencyBenchmark(settings);
        await latency.RunAsync(Path.Combine(root, "synthetic"), log, cancellationToken);

        log.Heading("Run");
        log.Line($"Total {total.Elapsed.TotalMinutes:F1} min; load average at the start {loadAtStart}, at the end {MachineFacts.LoadAverages()} (1/5/15 min; other work shared the {Environment.ProcessorCount} cores).");

        if (settings.WriteReport)
        {
            var markdown = new StringBuilder()
                .AppendLine(BenchmarksDocument.SectionStart(Section))
                .AppendLine("## Hybrid retrieval (BM25 + dense, reciprocal-rank fusion)")
                .AppendLine()
                .AppendLine("`bench/Retrieval.Benchmarks` measures issue 8's requirement: hit@1, hit@4 and MRR of dense, BM25 and hybrid passage search on the")
                .AppendLine("labelled set (the same code as `tests/Gateway.Tests/Hybrid`, which fails if hybrid is worse than dense), and the latency hybrid adds")
                .AppendLine("over dense on a 10k-passage synthetic embedded store (target: hybrid p50 ≤ 1.3× dense). The embedded store answers BM25 from an")
                .AppendLine("in-memory copy of its FTS5 index (`PassageTermIndex`: the same terms, statistics and formula as FTS5's `bm25()`, tested to give")
                .AppendLine("the same keys, order and scores), built after the first text search, while FTS5 alone calls `bm25()` once per row holding any")
                .AppendLine("query word; the FTS5-only figures are in the last rows. Both leave out query words found in half the passages or more")
                .AppendLine("(`FullTextQuery.SelectTerms`: their IDF is floored at 1e-6). Each hybrid leg returns keys and scores; only the fused top-k rows")
                .AppendLine("are read.")
                .AppendLine()
                .AppendLine("```bash")
                .AppendLine("dotnet run -c Release --project bench/Retrieval.Benchmarks            # about two minutes")
                .AppendLine("dotnet run -c Release --project bench/Retrieval.Benchmarks -- --quick")
                .AppendLine("```")
                .AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {MachineFacts.Describe()}.")
                .AppendLine(CultureInfo.InvariantCulture, $"Command: `{command}`")
                .Append(log.Markdown.TrimEnd()).AppendLine()
                .AppendLine(BenchmarksDocument.SectionEnd(Section))
                .ToString();
            var path = Repository.BenchmarksDocument();
            File.WriteAllText(path, BenchmarksDocument.ReplaceSection(BenchmarksDocument.Read(path), Section, markdown));
            Console.WriteLine($"Updated the {Section} section of {path}");
        }
    }

    private static IHost EmbedderClientHost(string url)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:embedder:http:0"] = url,
            ["EmbedderClient:CallTimeout"] = "00:00:30",
        });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddEmbedderClient();
        return builder.Build();
    }

    private static async Task<string> WaitForPassageModelAsync(EmbedderClient client, ChildProcess embedder, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (embedder.HasExited)
            {
                throw new InvalidOperationException($"The embedder exited with code {embedder.ExitCode}.\n{embedder.RecentOutput()}");
            }
            try
            {
                var passage = (await client.DescribeModelsAsync(cancellationToken)).Models.FirstOrDefault(m => m.Name == EmbeddingModelNames.Passage);
                if (passage is { Available: true })
                {
                    Console.WriteLine($"  embedder pid {embedder.Pid}: passage model ready after {clock.Elapsed.TotalSeconds:F1} s");
                    return $"{passage.ModelId} ({passage.Dimension}-d, {passage.ExecutionProvider})";
                }
                last = "not available yet";
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
            {
                last = $"{ex.GetType().Name}: {ex.Message}";
            }
            await Task.Delay(250, cancellationToken);
        }
        throw new TimeoutException($"The embedder's passage model was not ready after 2 minutes ({last}).\n{embedder.RecentOutput()}");
    }
}
