using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>A temporary data directory, deleted on dispose, and stores opened on it.</summary>
internal sealed class EmbeddedTestDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "embedded-vs-" + Guid.NewGuid().ToString("N"));

    public EmbeddedVectorStoreOptions Options(VectorStoreRole role = VectorStoreRole.Writer, int exactScanThreshold = 20_000) => new()
    {
        Directory = Path,
        Role = role,
        ExactScanThreshold = exactScanThreshold,
        SnapshotInterval = TimeSpan.FromMilliseconds(200),
        ReaderPollInterval = TimeSpan.FromMilliseconds(50),
    };

    public async Task<EmbeddedVectorStore> OpenAsync(
        int dimension, VectorStoreRole role = VectorStoreRole.Writer, int exactScanThreshold = 20_000,
        Action<EmbeddedVectorStoreOptions>? configure = null)
    {
        var options = Options(role, exactScanThreshold);
        configure?.Invoke(options);
        var store = new EmbeddedVectorStore(options);
        await store.EnsureCollectionsAsync(new CollectionDimensions(dimension, dimension), CancellationToken.None);
        return store;
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}
