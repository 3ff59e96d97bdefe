using MassTransit;
using MassTransit.Middleware;

namespace AspireMmRag.Indexer.Consumers;

/// <summary>
/// One MassTransit partitioner, keyed on the document id, shared by the <c>DocumentCrawled</c> and the
/// <c>DocumentDeleteRequested</c> consumers: two messages of one document, on either endpoint, are never consumed at once
/// by this indexer, and each waits for the one before it. It sits inside the retry filters, so a message waiting out a
/// retry interval does not hold its partition (a newer revision may go first; <c>RevisionOrder</c> then skips the older).
/// </summary>
public sealed class DocumentPartitioner : IAsyncDisposable
{
    /// <summary>Partitions: documents whose ids hash alike wait for each other, so more than the concurrent documents.</summary>
    public const int Partitions = 64;

    public IPartitioner Partitioner { get; } = new Partitioner(Partitions, new Murmur3UnsafeHashGenerator());

    public async ValueTask DisposeAsync()
    {
        if (Partitioner is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}
