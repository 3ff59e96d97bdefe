using AspireMmRag.VectorStore.Milvus;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>A fake Milvus plus a store talking to it (passages and image captions 4-d, images 3-d).</summary>
internal sealed class MilvusTestContext : IAsyncDisposable
{
    public static readonly CollectionDimensions Dimensions = new(Passages: 4, Images: 3);

    private MilvusTestContext(MilvusFakeServer server) => Server = server;

    public MilvusFakeServer Server { get; }

    public HttpClient Http { get; } = new();

    public MilvusVectorStore Store { get; private set; } = null!;

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

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
