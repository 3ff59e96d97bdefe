using AspireMmRag.Embedding;
using AspireMmRag.VectorStore;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>Creates the collections once, sized by what the embedder reports (passage and CLIP dimensions).</summary>
public sealed partial class VectorStoreInitializer(
    IVectorStore store, EmbedderClient embedder, IOptions<IndexingOptions> options, ILogger<VectorStoreInitializer> logger)
{
    private readonly SemaphoreSlim _once = new(1, 1);
    private volatile bool _ready;

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }
        await _once.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
            {
                return;
            }
            var models = await embedder.DescribeModelsAsync(cancellationToken);
            var passage = models.Models.FirstOrDefault(m => m.Name == EmbeddingModelNames.Passage && m.Available)?.Dimension ?? 0;
            var clip = models.Models.FirstOrDefault(m => m.Name == EmbeddingModelNames.Clip && m.Available)?.Dimension ?? 0;
            if (passage == 0)
            {
                throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "The embedder's passage model is not ready yet."));
            }
            var dimensions = new CollectionDimensions(passage, clip > 0 ? clip : options.Value.DefaultImageDimension);
            await store.EnsureCollectionsAsync(dimensions, cancellationToken);
            LogReady(logger, dimensions.Passages, dimensions.Images);
            _ready = true;
        }
        finally
        {
            _once.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Vector store ready: passages {Passages}-d, images {Images}-d")]
    private static partial void LogReady(ILogger logger, int passages, int images);
}
