using AspireMmRag.Embedding.Grpc;
using AspireMmRag.Media;
using AspireMmRag.TestModels;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Tests.Infrastructure;

/// <summary>
/// Shared by the gateway tests: an embedder process (arctic-embed-xs + the CLIP-shaped test model), the fixture corpus indexed
/// into an embedded store and a media folder through the indexer's code, and a gateway in retrieval-only mode. Tests that
/// need other settings (a language model, a dead dependency) start their own <see cref="GatewayApp"/> with <see cref="Settings"/>.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mmrag-gateway-" + Guid.NewGuid().ToString("N"));
    private readonly int _embedderPort = FreePorts.Next();

    public string VectorsDirectory => Path.Combine(_root, "vectors");
    public string MediaDirectory => Path.Combine(_root, "media");
    public ServiceProcess Embedder { get; private set; } = null!;
    public GatewayApp Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var clip = Path.Combine(_root, "clip");
        Directory.CreateDirectory(clip);
        ClipTestModels.WriteSplit(clip, TestAssets.ClipVocabJson);
        File.Copy(TestAssets.ClipVocabJson, Path.Combine(clip, "vocab.json"));
        File.Copy(TestAssets.ClipMerges, Path.Combine(clip, "merges.txt"));

        Embedder = ServiceProcess.Start("Embedder", new Dictionary<string, string>
        {
            ["Models__AutoDownload"] = "false",
            ["Models__Clip__Directory"] = clip,
            ["Inference__ExecutionProvider"] = "Cpu",
        }, _embedderPort);
        using (var channel = GrpcChannel.ForAddress(Embedder.Url))
        {
            var client = new AspireMmRag.Embedding.Grpc.Embedder.EmbedderClient(channel);
            await Embedder.WaitUntilAsync(async token =>
                (await client.DescribeModelsAsync(new DescribeModelsRequest(), cancellationToken: token)).Models.All(m => m.Available),
                TimeSpan.FromSeconds(120), "the embedder's models");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var media = new FileSystemMediaStore(Options.Create(new MediaStoreOptions { Directory = MediaDirectory }));
        var documents = await FixtureCorpus.ToMessagesAsync(media, timeout.Token);
        await CorpusIndexer.IndexAsync(Embedder.Url, VectorsDirectory, MediaDirectory, documents, timeout.Token);

        Gateway = new GatewayApp(Settings());
    }

    /// <summary>The gateway's settings for this fixture, with <paramref name="extra"/> added or replacing.</summary>
    public Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra) =>
        RetrievalSettings(Embedder.Url, VectorsDirectory, MediaDirectory, extra);

    /// <summary>A retrieval-only gateway's settings (no language model) on an embedder, an embedded store and a media folder,
    /// with <paramref name="extra"/> added or replacing.</summary>
    public static Dictionary<string, string?> RetrievalSettings(string embedderUrl, string vectorsDirectory, string mediaDirectory,
        params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["services:embedder:http:0"] = embedderUrl,
            ["EmbedderClient:CallTimeout"] = "00:00:10",
            ["VectorStore:Provider"] = "Embedded",
            ["VectorStore:Embedded:Directory"] = vectorsDirectory,
            ["MediaStore:Directory"] = mediaDirectory,
            ["Llm:Provider"] = "None",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    public async Task DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
        if (Embedder is not null)
        {
            await Embedder.DisposeAsync();
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
