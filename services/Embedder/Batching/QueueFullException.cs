namespace AspireMmRag.Embedder.Batching;

/// <summary>The batching queue of a model cannot take a call's items now; the gRPC layer answers RESOURCE_EXHAUSTED.</summary>
public sealed class QueueFullException(string lane, int depth, int capacity)
    : Exception($"The {lane} queue is full ({depth} of {capacity} items waiting); retry later or add embedder replicas.");
