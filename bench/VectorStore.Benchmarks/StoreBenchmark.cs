using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Benchmarks;

/// <summary>The store end to end: ingest with visibility checks, background indexing, searches, readers, reopen.</summary>
internal sealed class StoreBenchmark(BenchmarkSettings settings, BenchmarkReport report)
{
    private const int Dimension = 512;
    private const int DocumentRows = 20;
    private const int Sources = 3;
    private const long QuerySeed = 10_000_000_000;
    private static readonly string Text = string.Concat(Enumerable.Repeat("Helsinki is the capital of Finland. ", 16));
    private static readonly CancellationToken None = CancellationToken.None;

    public async Task RunAsync(SyntheticEmbeddings embeddings, float[] matrix)
    {
        var rows = settings.Rows;
        var directory = settings.Directory;
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        var queries = Enumerable.Range(0, settings.Queries).Select(i => embeddings.Vector(QuerySeed + i)).ToList();
        var stopwatch = Stopwatch.StartNew();
        var truth = ExactSearch.TopK(matrix, rows, Dimension, queries, 10);
        var exactScanMs = ExactSearch.ScanMilliseconds(matrix, rows, Dimension, queries.Take(20).ToList());
        var thresholdScanMs = ExactSearch.ScanMilliseconds(matrix, Math.Min(rows, settings.ExactScanThreshold), Dimension, queries.Take(50).ToList());

        report.Heading($"Store: {rows:N0} × {Dimension} passages, ExactScanThreshold {settings.ExactScanThreshold:N0}, HNSW f16 M=16 efConstruction={settings.ExpansionAdd} ef={settings.ExpansionSearch}");
        report.Line($"Data: {embeddings.Description}; queries are fresh draws from the same distribution; {settings.Queries} queries, ground truth by brute force.");
        report.Line($"Exact single-threaded scan (TensorPrimitives.Dot over one contiguous array): p50 {thresholdScanMs:F1} ms at {Math.Min(rows, settings.ExactScanThreshold):N0} rows, {exactScanMs:F1} ms at {rows:N0} rows.");

        var options = Options(VectorStoreRole.Writer, settings.ExpansionSearch);
        var writer = new EmbeddedVectorStore(options);
        await writer.EnsureCollectionsAsync(new CollectionDimensions(Dimension, Dimension), None);

        // Ingest: durable upserts in batches, each followed by a search that must return the batch's last row.
        var violations = 0;
        var upsertMs = new List<double>();
        var checkMs = new List<double>();
        stopwatch.Restart();
        for (var start = 0; start < rows; start += settings.Batch)
        {
            var batch = Enumerable.Range(start, Math.Min(settings.Batch, rows - start)).Select(i => Record(i, matrix)).ToList();
            var t0 = Stopwatch.GetTimestamp();
            await writer.UpsertPassagesAsync(batch, None);
            var t1 = Stopwatch.GetTimestamp();
            var hit = await writer.SearchPassagesAsync(batch[^1].Vector, new VectorSearchOptions { TopK = 1 }, None);
            checkMs.Add(Stopwatch.GetElapsedTime(t1).TotalMilliseconds);
            upsertMs.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            if (hit.Count == 0 || hit[0].Record.Id != batch[^1].Id)
            {
                violations++;
            }
        }
        var ingest = stopwatch.Elapsed;
        var afterIngest = writer.GetStatistics(VectorCollection.Passages)!;
        await writer.WaitForIndexingAsync(None);
        var built = stopwatch.Elapsed;
        var indexed = writer.GetStatistics(VectorCollection.Passages)!;
        report.Line(
            $"Durable upserts (SQLite WAL, synchronous=NORMAL, batches of {settings.Batch:N0}, each batch followed by a search that must return its last row): " +
            $"**{rows / ingest.TotalSeconds:N0} vectors/s** including the checks ({ingest.TotalSeconds:F1} s); upsert alone p50 {Latencies.Percentile(upsertMs, 50):F0} ms per batch " +
            $"({settings.Batch / Latencies.Percentile(upsertMs, 50) * 1000:N0} vectors/s), visibility search p50 {Latencies.Percentile(checkMs, 50):F1} ms / max {checkMs.Max():F0} ms; " +
            $"**{violations} of {upsertMs.Count} checks missed** their row.");
        report.Line(
            $"Background HNSW build (2 threads, concurrent with the ingest): {indexed.IndexedVectors:N0} vectors indexed {built.TotalSeconds:F1} s after the ingest started " +
            $"({indexed.IndexedVectors / built.TotalSeconds:N0} vectors/s); at the end of the ingest {afterIngest.FreshRows:N0} rows were still fresh (searched exactly); " +
            $"index memory {indexed.IndexMemoryBytes / 1048576.0:N0} MB; process working set {MachineInfo.WorkingSetMegabytes():N0} MB (includes the benchmark's own {matrix.LongLength * 4 / 1048576.0:N0} MB matrix).");

        // Save the last snapshot first, so that no background save runs during the measurements.
        stopwatch.Restart();
        await writer.SaveSnapshotsAsync(None);
        report.Line($"Snapshot save (USearch save + fsync + rename): {stopwatch.Elapsed.TotalSeconds:F2} s; snapshot files {SnapshotBytes(directory) / 1048576.0:N0} MB (the current and the previous one); SQLite {new FileInfo(Path.Combine(directory, "vectors.db")).Length / 1048576.0:N0} MB.");
        GC.Collect();

        var (writerLatency, writerRecall, writerQps) = await MeasureAsync(writer, queries, truth);
        report.Line($"Writer search top-10, ef={settings.ExpansionSearch} (ANN + SQLite row fetch + float32 re-rank): {Latencies.Summary(writerLatency)}, **recall@10 {writerRecall:F3}**, {writerQps:N0} q/s with {Environment.ProcessorCount} concurrent clients.");

        await FilteredAsync(writer, queries, matrix);

        // Readers at several ef: each memory-maps the writer's snapshot.
        var efRows = new List<IReadOnlyList<string>>();
        foreach (var ef in settings.ReaderExpansions)
        {
            stopwatch.Restart();
            await using var reader = new EmbeddedVectorStore(Options(VectorStoreRole.Reader, ef));
            await reader.EnsureCollectionsAsync(new CollectionDimensions(Dimension, Dimension), None);
            var openMs = stopwatch.Elapsed.TotalMilliseconds;
            var (latency, recall, qps) = await MeasureAsync(reader, queries, truth);
            efRows.Add([ef.ToString(CultureInfo.InvariantCulture), $"{openMs:N0} ms", $"{Latencies.Percentile(latency, 50):F2} ms", $"{Latencies.Percentile(latency, 99):F2} ms", $"{recall:F3}", $"{qps:N0}"]);
        }
        report.Line("Reader stores (Role=Reader in this process; open = metadata scan of SQLite + memory-mapped snapshot):");
        report.Table(["ef", "open", "p50", "p99", "recall@10", "q/s (2 clients)"], efRows);

        if (settings.ChildReader)
        {
            await ReaderChild.MeasureAsync(writer, embeddings, options, report);
        }

        // Reopen: dispose the writer (nothing left to snapshot), start a new one on the same directory.
        stopwatch.Restart();
        await writer.DisposeAsync();
        var disposeMs = stopwatch.Elapsed.TotalMilliseconds;
        stopwatch.Restart();
        await using var reopened = new EmbeddedVectorStore(options);
        await reopened.EnsureCollectionsAsync(new CollectionDimensions(Dimension, Dimension), None);
        var reopenSeconds = stopwatch.Elapsed.TotalSeconds;
        var first = await reopened.SearchPassagesAsync(queries[0], new VectorSearchOptions { TopK = 10 }, None);
        var firstMs = stopwatch.Elapsed.TotalSeconds - reopenSeconds;
        var (reopenedLatency, reopenedRecall, _) = await MeasureAsync(reopened, queries.Take(100).ToList(), truth.Take(100).ToList(), concurrent: false);
        var reopenedStatistics = reopened.GetStatistics(VectorCollection.Passages)!;
        report.Line(
            $"Reopen of the writer with {reopenedStatistics.Rows:N0} rows (load the index snapshot, scan the keys, replay {reopenedStatistics.FreshRows:N0} later rows): " +
            $"**{reopenSeconds:F2} s** (dispose took {disposeMs:N0} ms); first search {firstMs * 1000:F1} ms ({first.Count} hits); then {Latencies.Summary(reopenedLatency)}, recall@10 {reopenedRecall:F3}.");
    }

    private async Task FilteredAsync(EmbeddedVectorStore store, List<float[]> queries, float[] matrix)
    {
        var documentMs = new List<double>();
        var sourceMs = new List<double>();
        double sourceFound = 0;
        var sample = queries.Take(50).ToList();
        var random = new Random(5);
        foreach (var query in sample)
        {
            var document = $"doc-{random.Next(settings.Rows / DocumentRows)}";
            var t0 = Stopwatch.GetTimestamp();
            var byDocument = await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 10, DocumentIds = [document] }, None);
            documentMs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            if (byDocument.Count != 10 || byDocument.Any(h => h.Record.DocumentId != document))
            {
                throw new InvalidOperationException("The document filter returned wrong rows.");
            }

            t0 = Stopwatch.GetTimestamp();
            var bySource = await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 10, Sources = ["src-1"] }, None);
            sourceMs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            var top = new TopK(10);
            for (var row = 1; row < settings.Rows; row += Sources)
            {
                top.Add(row, TensorPrimitives.Dot(query, new ReadOnlySpan<float>(matrix, row * Dimension, Dimension)));
            }
            var truth = Enumerable.Range(0, top.Count).Select(i => $"p{top.KeyAt(i)}").ToHashSet();
            sourceFound += bySource.Count(h => truth.Contains(h.Record.Id));
        }
        report.Line($"Filtered by document ({DocumentRows} rows each: exact scan through SQLite's document index): {Latencies.Summary(documentMs)}, exact.");
        report.Line($"Filtered by source (a third of the rows: HNSW with the filter applied during the traversal): {Latencies.Summary(sourceMs)}, recall@10 {sourceFound / (sample.Count * 10):F3}.");
    }

    private static async Task<(List<double> Latency, double Recall, double Qps)> MeasureAsync(
        EmbeddedVectorStore store, List<float[]> queries, IReadOnlyList<long[]> truth, bool concurrent = true)
    {
        foreach (var query in queries.Take(20))
        {
            await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 10 }, None);
        }
        var latency = new List<double>(queries.Count);
        var found = new List<IReadOnlyList<long>>(queries.Count);
        foreach (var query in queries)
        {
            var t0 = Stopwatch.GetTimestamp();
            var hits = await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 10 }, None);
            latency.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            found.Add(hits.Select(h => long.Parse(h.Record.Id.AsSpan(1), CultureInfo.InvariantCulture)).ToList());
        }
        var recall = Latencies.Recall(truth, found, 10);
        if (!concurrent)
        {
            return (latency, recall, double.NaN);
        }
        var stopwatch = Stopwatch.StartNew();
        var clients = Environment.ProcessorCount;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var i = c; i < queries.Count; i += clients)
            {
                await store.SearchPassagesAsync(queries[i], new VectorSearchOptions { TopK = 10 }, None);
            }
        })));
        return (latency, recall, queries.Count / stopwatch.Elapsed.TotalSeconds);
    }

    private EmbeddedVectorStoreOptions Options(VectorStoreRole role, int expansionSearch) => new()
    {
        Directory = settings.Directory,
        Role = role,
        ExactScanThreshold = settings.ExactScanThreshold,
        SnapshotInterval = TimeSpan.FromSeconds(30),
        Hnsw = new EmbeddedHnswOptions { ExpansionSearch = expansionSearch, ExpansionAdd = settings.ExpansionAdd },
    };

    internal static PassageRecord Record(int row, float[] matrix) => new()
    {
        Id = $"p{row}",
        DocumentId = $"doc-{row / DocumentRows}",
        Source = $"src-{row % Sources}",
        Title = $"Document {row / DocumentRows}",
        Url = $"https://example.org/doc/{row / DocumentRows}",
        Section = "Section",
        ChunkIndex = row % DocumentRows,
        Text = Text,
        Revision = "r1",
        Vector = matrix.AsSpan(row * Dimension, Dimension).ToArray(),
    };

    private static long SnapshotBytes(string directory) =>
        Directory.GetFiles(directory, "*.usearch").Sum(f => new FileInfo(f).Length);
}
