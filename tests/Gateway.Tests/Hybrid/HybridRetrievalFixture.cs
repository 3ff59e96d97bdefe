using System.Diagnostics;
using AspireMmRag.Embedding;
using AspireMmRag.TestModels;
using AspireMmRag.VectorStore;
using AspireMmRag.VectorStore.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AspireMmRag.Gateway.Tests.Hybrid;

/// <summary>
/// Once per test class: the labelled set (tests/RetrievalSet) chunked by the indexer's chunker, embedded by the real passage
/// model (arctic-embed-xs in an embedder process, no CLIP model), written to an embedded vector store, and every question
/// searched dense, BM25 and hybrid (default <see cref="HybridSearchOptions"/>).
/// </summary>
public sealed class HybridRetrievalFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mmrag-hybrid-" + Guid.NewGuid().ToString("N"));

    public LabelledSet Set { get; private set; } = null!;
    public IReadOnlyList<PassageRecord> Passages { get; private set; } = [];
    public IReadOnlyList<QuestionRanks> Ranks { get; private set; } = [];
    public TimeSpan SetUpTime { get; private set; }

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        Set = LabelledSet.Load(LabelledSet.Locate(TestAssets.RepositoryRoot()));
        var noClip = Directory.CreateDirectory(Path.Combine(_root, "no-clip")).FullName;
        await using var embedder = ServiceProcess.Start("Embedder", new Dictionary<string, string>
        {
            ["Models__AutoDownload"] = "false",
            ["Models__Clip__Directory"] = noClip,
            ["Inference__ExecutionProvider"] = "Cpu",
        }, FreePorts.Next());

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:embedder:http:0"] = embedder.Url,
            ["EmbedderClient:CallTimeout"] = "00:00:30",
        });
        builder.AddEmbedderClient();
        using var host = builder.Build();
        var client = host.Services.GetRequiredService<EmbedderClient>();
        await embedder.WaitUntilAsync(async token =>
            (await client.DescribeModelsAsync(token)).Models.Any(m => m.Name == EmbeddingModelNames.Passage && m.Available),
            TimeSpan.FromSeconds(120), "the passage model");

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var store = new EmbeddedVectorStore(new EmbeddedVectorStoreOptions
        {
            Directory = Path.Combine(_root, "vectors"),
            Role = VectorStoreRole.Writer,
        });
        Passages = await RetrievalSetIndex.WriteAsync(client, store, Set, timeout.Token);
        var queries = await RetrievalSetIndex.EmbedQuestionsAsync(client, Set.Questions, timeout.Token);
        Ranks = await RetrievalEvaluation.RunAsync(store, Set, queries, HybridSearchOptions.Default, timeout.Token);
        SetUpTime = clock.Elapsed;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}
