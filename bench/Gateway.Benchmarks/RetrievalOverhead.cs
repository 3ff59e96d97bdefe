using System.Diagnostics;
using AspireMmRag.Embedding;
using AspireMmRag.Embedding.Grpc;
using AspireMmRag.Gateway.Retrieval;
using AspireMmRag.VectorStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>
/// The work before the language model call (<see cref="Retriever.RetrieveAsync"/>: both paths at the same time, then the
/// image ranking) against each path measured alone with the same <see cref="EmbedderClient"/> and <see cref="IVectorStore"/>
/// instances from the gateway's own service registrations, in this process, against the same embedder process and store:
/// the passage path (passage-model query embedding, then passage and caption searches together, as the Retriever runs
/// them) and the CLIP path (CLIP text embedding, then the image search). Each iteration runs the three on the same
/// question, one after the other, in a rotating order; its ratio is the end-to-end time over the slower path's.
/// </summary>
public static class RetrievalOverhead
{
    public sealed record Result(Stats Passage, Stats PassageEmbed, Stats PassageSearch, Stats Clip, Stats ClipEmbed, Stats ClipSearch,
        Stats Slower, Stats Together, Stats Ratio, double PassageSlowerShare, CpuUsage Cpu, string Disturbance);

    private sealed record PathTime(double Total, double Embed, double Search);

    public static async Task<Result> RunAsync(IServiceProvider services, IReadOnlyList<string> questions, BenchSettings settings,
        (string Name, int Pid)[] processes, CancellationToken cancellationToken)
    {
        var retriever = services.GetRequiredService<Retriever>();
        var embedder = services.GetRequiredService<EmbedderClient>();
        var store = services.GetRequiredService<IVectorStore>();
        var options = services.GetRequiredService<IOptions<RetrievalOptions>>().Value;

        async Task<(PathTime Passage, PathTime Clip, double Together)> IterationAsync(int i)
        {
            var query = new RetrievalQuery(questions[i % questions.Count], options.DefaultTopK, options.DefaultImageTopK, null, null);
            var candidates = Math.Max(options.MinImageCandidates, query.ImageTopK * options.ImageCandidatesPerResult);
            PathTime? passage = null, clip = null;
            double together = 0;
            for (var step = 0; step < 3; step++)
            {
                switch ((i + step) % 3)
                {
                    case 0:
                        passage = await PassagePathAsync(embedder, store, query, candidates, cancellationToken);
                        break;
                    case 1:
                        clip = await ClipPathAsync(embedder, store, query, candidates, cancellationToken);
                        break;
                    default:
                        var started = Stopwatch.GetTimestamp();
                        var result = await retriever.RetrieveAsync(query, cancellationToken);
                        together = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        if (result.Passages.Count != query.TopK || result.Warnings.Count > 0)
                        {
                            throw new InvalidOperationException($"Unexpected retrieval: {result.Passages.Count} passages, warnings: {string.Join(" ", result.Warnings)}");
                        }
                        break;
                }
            }
            return (passage!, clip!, together);
        }

        for (var i = 0; i < settings.OverheadWarmUp; i++)
        {
            await IterationAsync(i);
        }
        var outcome = await Undisturbed.CollectAsync(settings.OverheadIterations, settings.OverheadBlock, processes,
            i => IterationAsync(settings.OverheadWarmUp + i));
        var passages = outcome.Items.Select(x => x.Passage).ToArray();
        var clips = outcome.Items.Select(x => x.Clip).ToArray();
        var slower = outcome.Items.Select(x => Math.Max(x.Passage.Total, x.Clip.Total)).ToArray();
        return new Result(
            new Stats(passages.Select(p => p.Total)), new Stats(passages.Select(p => p.Embed)), new Stats(passages.Select(p => p.Search)),
            new Stats(clips.Select(c => c.Total)), new Stats(clips.Select(c => c.Embed)), new Stats(clips.Select(c => c.Search)),
            new Stats(slower), new Stats(outcome.Items.Select(x => x.Together)),
            new Stats(outcome.Items.Select(x => x.Together / Math.Max(x.Passage.Total, x.Clip.Total))),
            outcome.Items.Average(x => x.Passage.Total >= x.Clip.Total ? 1.0 : 0.0),
            outcome.Cpu,
            outcome.Describe());
    }

    /// <summary>As <c>Retriever.PassagePathAsync</c>: embed the query with the passage model, then both searches at once.</summary>
    private static async Task<PathTime> PassagePathAsync(EmbedderClient embedder, IVectorStore store, RetrievalQuery query, int candidates,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var vector = await embedder.EmbedQueryAsync(query.Text, cancellationToken);
        var embedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var searched = Stopwatch.GetTimestamp();
        var passages = store.SearchPassagesAsync(vector, new VectorSearchOptions { TopK = query.TopK }, cancellationToken);
        var captions = store.SearchImageCaptionsAsync(vector, new VectorSearchOptions { TopK = candidates }, cancellationToken);
        await Task.WhenAll(passages, captions);
        var searchMs = Stopwatch.GetElapsedTime(searched).TotalMilliseconds;
        return new PathTime(Stopwatch.GetElapsedTime(started).TotalMilliseconds, embedMs, searchMs);
    }

    /// <summary>As <c>Retriever.ClipPathAsync</c>: embed the query with CLIP text, then search the images.</summary>
    private static async Task<PathTime> ClipPathAsync(EmbedderClient embedder, IVectorStore store, RetrievalQuery query, int candidates,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var vector = (await embedder.EmbedTextsAsync(EmbeddingModelNames.Clip, TextKind.Query, [query.Text], cancellationToken))[0];
        var embedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var searched = Stopwatch.GetTimestamp();
        await store.SearchImagesAsync(vector, new VectorSearchOptions { TopK = candidates }, cancellationToken);
        var searchMs = Stopwatch.GetElapsedTime(searched).TotalMilliseconds;
        return new PathTime(Stopwatch.GetElapsedTime(started).TotalMilliseconds, embedMs, searchMs);
    }
}
