namespace AspireMmRag.Embedder.Batching;

/// <summary>The batching queue of a model cannot take a call's items now (too many items, or too many image bytes, waiting);
/// the gRPC layer answers RESOURCE_EXHAUSTED.</summary>
public sealed class QueueFullException : Exception
{
    public QueueFullException(string lane, int depth, int capacity)
        : base($"The {lane} queue is full ({depth} of {capacity} items waiting); retry later or add embedder replicas.")
    {
    }

    public QueueFullException(string lane, long heldBytes, long neededBytes, long budgetBytes)
        : base($"The {lane} queue is full ({heldBytes} of {budgetBytes} bytes held, this call needs {neededBytes}); retry later or add embedder replicas.")
    {
    }
}
