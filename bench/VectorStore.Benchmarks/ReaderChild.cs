using System.Diagnostics;
using System.Globalization;
using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Benchmarks;

/// <summary>
/// A reader in another process (this benchmark started again with <c>--reader-child</c>): the parent writes marker rows
/// and deletes them, the child searches for them in a loop and reports when it sees the change; the parent measures
/// the time from its commit to the child's report.
/// </summary>
internal static class ReaderChild
{
    private const int Trials = 10;
    private const long MarkerSeed = 20_000_000_000;

    public static async Task MeasureAsync(EmbeddedVectorStore writer, SyntheticEmbeddings embeddings, EmbeddedVectorStoreOptions options, BenchmarkReport report)
    {
        var assembly = typeof(ReaderChild).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { assembly, "--reader-child", options.Directory, embeddings.Dimension.ToString(CultureInfo.InvariantCulture),
                     options.ExactScanThreshold.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        var stopwatch = Stopwatch.StartNew();
        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the reader process.");
        var ready = await child.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The reader process exited.");
        var openMs = stopwatch.Elapsed.TotalMilliseconds;
        var insertLag = new List<double>();
        var deleteLag = new List<double>();
        for (var trial = 0; trial < Trials; trial++)
        {
            var id = $"marker-{trial}";
            var seed = MarkerSeed + trial;
            var vector = embeddings.Vector(seed);
            await child.StandardInput.WriteLineAsync($"SEE {id} {seed}");
            await child.StandardInput.FlushAsync();
            await Task.Delay(30);
            await writer.UpsertPassagesAsync([new PassageRecord
            {
                Id = id, DocumentId = "doc-marker", Source = "marker", Title = "", Url = "", Section = "", Text = "", Revision = "r1", Vector = vector,
            }], CancellationToken.None);
            var committed = Stopwatch.GetTimestamp();
            Expect(await child.StandardOutput.ReadLineAsync(), $"SEEN {id}");
            insertLag.Add(Stopwatch.GetElapsedTime(committed).TotalMilliseconds);

            await child.StandardInput.WriteLineAsync($"GONE {id} {seed}");
            await child.StandardInput.FlushAsync();
            await Task.Delay(30);
            await writer.DeleteAsync(VectorCollection.Passages, [id], CancellationToken.None);
            committed = Stopwatch.GetTimestamp();
            Expect(await child.StandardOutput.ReadLineAsync(), $"GONE {id}");
            deleteLag.Add(Stopwatch.GetElapsedTime(committed).TotalMilliseconds);
        }
        await child.StandardInput.WriteLineAsync("QUIT");
        await child.StandardInput.FlushAsync();
        await child.WaitForExitAsync();
        report.Line(
            $"Reader in a separate process (ReaderPollInterval {options.ReaderPollInterval.TotalMilliseconds:N0} ms): started and opened in {openMs:N0} ms ({ready}); " +
            $"a row upserted by the writer became visible to its searches after p50 {Latencies.Percentile(insertLag, 50):N0} ms / max {insertLag.Max():N0} ms, " +
            $"a deleted row disappeared after p50 {Latencies.Percentile(deleteLag, 50):N0} ms / max {deleteLag.Max():N0} ms ({Trials} trials each).");
    }

    /// <summary>The child: <c>--reader-child directory dimension threshold</c>; commands on stdin.</summary>
    public static async Task<int> RunAsync(string directory, int dimension, int threshold)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var reader = new EmbeddedVectorStore(new EmbeddedVectorStoreOptions
        {
            Directory = directory,
            Role = VectorStoreRole.Reader,
            ExactScanThreshold = threshold,
        });
        await reader.EnsureCollectionsAsync(new CollectionDimensions(dimension, dimension), CancellationToken.None);
        var statistics = reader.GetStatistics(VectorCollection.Passages)!;
        Console.WriteLine($"reader opened {statistics.Rows:N0} rows in {stopwatch.ElapsedMilliseconds:N0} ms, {(statistics.IndexIsView ? "snapshot memory-mapped" : "no snapshot")}");
        var embeddings = new SyntheticEmbeddings(SyntheticEmbeddings.Kind.Latent, dimension);
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            if (parts[0] == "QUIT")
            {
                break;
            }
            var id = parts[1];
            var vector = embeddings.Vector(long.Parse(parts[2], CultureInfo.InvariantCulture));
            var wantPresent = parts[0] == "SEE";
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                var hits = await reader.SearchPassagesAsync(vector, new VectorSearchOptions { TopK = 1 }, CancellationToken.None);
                var present = hits.Count > 0 && hits[0].Record.Id == id;
                if (present == wantPresent)
                {
                    break;
                }
                await Task.Delay(1);
            }
            Console.WriteLine($"{parts[0].Replace("SEE", "SEEN", StringComparison.Ordinal)} {id}");
        }
        return 0;
    }

    private static void Expect(string? line, string expected)
    {
        if (line != expected)
        {
            throw new InvalidOperationException($"The reader process answered '{line}', expected '{expected}'.");
        }
    }
}
