using System.Diagnostics;
using AspireMmRag.VectorStore.Embedded;
using AspireMmRag.VectorStore.Milvus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.VectorStore.Tests;

/// <summary><c>VectorStore:Provider</c> picks the backend, and every call is traced whatever the backend.</summary>
public sealed class VectorStoreRegistrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mmrag-registration-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Embedded_provider_is_traced_and_writes_as_the_writer()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TracingVectorStore.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        await using var services = Build(("VectorStore:Provider", "Embedded"), ("VectorStore:Embedded:Directory", _directory));

        var store = services.GetRequiredService<IVectorStore>();
        await store.EnsureCollectionsAsync(new CollectionDimensions(4, 4), default);
        await store.UpsertPassagesAsync([Passage("a")], default);

        var traced = Assert.IsType<TracingVectorStore>(store);
        Assert.IsType<EmbeddedVectorStore>(traced.Inner);
        Assert.Equal(1, await store.CountAsync(VectorCollection.Passages, "doc", default));
        lock (spans)
        {
            var upsert = Assert.Single(spans, span => span.DisplayName == "vectorstore upsert passages");
            Assert.Equal("embedded", upsert.GetTagItem("db.system.name"));
            Assert.Equal(1, upsert.GetTagItem("vectorstore.items"));
        }
    }

    [Fact]
    public async Task Milvus_provider_resolves_the_rest_client()
    {
        await using var services = Build(("VectorStore:Provider", "Milvus"), ("VectorStore:Milvus:Endpoint", "http://127.0.0.1:19530"));

        var traced = Assert.IsType<TracingVectorStore>(services.GetRequiredService<IVectorStore>());
        Assert.IsType<MilvusVectorStore>(traced.Inner);
    }

    [Fact]
    public void An_unknown_provider_is_refused()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["VectorStore:Provider"] = "Pinecone" }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddVectorStore(configuration, VectorStoreRole.Reader));
        Assert.Contains("Embedded, Milvus", error.Message);
    }

    private static ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddVectorStore(configuration, VectorStoreRole.Writer);
        return services.BuildServiceProvider();
    }

    private static PassageRecord Passage(string id) => new()
    {
        Id = id, DocumentId = "doc", Source = "folder", Title = "t", Url = "file:///t", Section = "s", Text = "text", Revision = "1",
        Vector = [1f, 0f, 0f, 0f],
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
