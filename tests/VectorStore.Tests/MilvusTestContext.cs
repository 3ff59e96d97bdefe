using AspireMmRag.VectorStore.Milvus;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>A fake Milvus plus a store talking to it (passages and image captions 4-d, images 3-d); or, for a contract case on
/// <see cref="MilvusTargets.Container"/>, a recording proxy in front of the real Milvus container and a database of its own.</summary>
internal sealed class MilvusTestContext : IAsyncDisposable
{
    public static readonly CollectionDimensions Dimensions = new(Passages: 4, Images: 3);

    private MilvusTestContext(MilvusFakeServer server, MilvusRealServer? real = null)
    {
        Server = server;
        Real = real;
    }

    /// <summary>The fake, or the recording proxy in front of the real Milvus (its requests are recorded the same way).</summary>
    public MilvusFakeServer Server { get; }

    /// <summary>The real Milvus behind the proxy (null on the fake).</summary>
    private MilvusRealServer? Real { get; }

    /// <summary><see cref="MilvusTargets.Fake"/> or <see cref="MilvusTargets.Container"/>.</summary>
    public string Target => Real is null ? MilvusTargets.Fake : MilvusTargets.Container;

    /// <summary>The <c>dbName</c> the stores send: <c>default</c> on the fake, a fresh database on the real Milvus.</summary>
    public string Database => Real?.Database ?? "default";

    public HttpClient Http { get; } = new();

    public MilvusVectorStore Store { get; private set; } = null!;

    /// <summary>A context on <paramref name="target"/> (<see cref="MilvusTargets.All"/>).</summary>
    public static async Task<MilvusTestContext> StartAsync(string target, Action<MilvusOptions>? configure = null)
    {
        if (target == MilvusTargets.Fake)
        {
            return await StartAsync(configure);
        }
        var milvus = await MilvusTargets.ContainerAsync();
        var real = new MilvusRealServer(milvus.Endpoint, $"t_{Guid.NewGuid():N}");
        await real.CreateDatabaseAsync();
        var context = new MilvusTestContext(await MilvusFakeServer.StartProxyAsync(milvus.Endpoint), real);
        context.Store = context.CreateStore(configure);
        return context;
    }

    public static async Task<MilvusTestContext> StartAsync(Action<MilvusOptions>? configure = null)
    {
        var context = new MilvusTestContext(await MilvusFakeServer.StartAsync());
        context.Store = context.CreateStore(configure);
        return context;
    }

    /// <summary>A store with its own schema cache (like another process), logging to <paramref name="logger"/> when given.</summary>
    public MilvusVectorStore CreateStore(Action<MilvusOptions>? configure = null, ILogger<MilvusVectorStore>? logger = null)
    {
        var options = new MilvusOptions { Endpoint = Server.Endpoint, LoadTimeout = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(5) };
        if (Real is not null)
        {
            // The fake is always read-your-writes; the real server is so with Strong (Bounded by default). Loading and
            // creating take longer than on the fake.
            options.Database = Real.Database;
            options.ConsistencyLevel = "Strong";
            options.LoadTimeout = TimeSpan.FromSeconds(60);
            options.RequestTimeout = TimeSpan.FromSeconds(60);
        }
        configure?.Invoke(options);
        return new MilvusVectorStore(Http, Options.Create(options), new MilvusSchemaCache(), logger ?? NullLogger<MilvusVectorStore>.Instance);
    }

    /// <summary>Creates and loads the collections, then forgets the requests it took.</summary>
    public async Task<MilvusTestContext> WithCollectionsAsync()
    {
        await Store.EnsureCollectionsAsync(Dimensions, CancellationToken.None);
        Server.ClearRequests();
        return this;
    }

    public static PassageRecord Passage(string id, float[] vector, string documentId = "doc-1", string source = "wikipedia", int chunk = 0, string? text = null) => new()
    {
        Id = id,
        DocumentId = documentId,
        Source = source,
        Title = $"Title of {documentId}",
        Url = $"https://example.org/{documentId}",
        Section = "Intro",
        ChunkIndex = chunk,
        Text = text ?? $"Text of {id}",
        Revision = "rev-1",
        Vector = vector,
    };

    public static ImageRecord Image(string id, float[] vector, string documentId = "doc-1", string source = "wikipedia") => new()
    {
        Id = id,
        DocumentId = documentId,
        Source = source,
        MediaRef = $"media/{id}.jpg",
        Caption = $"Caption of {id}",
        Attribution = "CC BY-SA 4.0",
        Url = $"https://example.org/{documentId}",
        Revision = "rev-1",
        Title = $"Title of {documentId}",
        Section = "History › Swedish era",
        SourceUrl = $"https://upload.example.org/{id}.jpg",
        DescriptionUrl = $"https://example.org/File:{id}.jpg",
        License = "CC BY-SA 4.0",
        MimeType = "image/jpeg",
        Vector = vector,
    };

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }
        return dot / (Math.Sqrt(na) * Math.Sqrt(nb));
    }

    /// <summary>Rows in <paramref name="collection"/>: the fake's model, or a Strong count(*) on the real server.</summary>
    public async Task<int> RowCountAsync(string collection) => Real is null ? Server.RowCount(collection) : await Real.RowCountAsync(collection);

    /// <summary>The ids in <paramref name="collection"/>, ordinal order.</summary>
    public async Task<IReadOnlyList<string>> RowIdsAsync(string collection) => Real is null ? Server.RowIds(collection) : await Real.RowIdsAsync(collection);

    /// <summary>The dimension of the vector field of <paramref name="collection"/>.</summary>
    public async Task<int> DimensionAsync(string collection) => Real is null ? Server.Dimension(collection) : await Real.DimensionAsync(collection);

    public async Task<bool> HasCollectionAsync(string collection) => Real is null ? Server.HasCollection(collection) : await Real.HasCollectionAsync(collection);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        if (Real is not null)
        {
            await Real.DropDatabaseAsync();
            Real.Dispose();
        }
    }
}
