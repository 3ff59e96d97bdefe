namespace AspireMmRag.Embedding;

/// <summary>What an embed call returned: the vectors in input order, per input whether the embedder cut it to the model's
/// token limit (the passage model reports it; CLIP texts and images are never flagged), and which replica answered.</summary>
public sealed record EmbeddingResult(IReadOnlyList<float[]> Vectors, IReadOnlyList<bool> Truncated, string Replica)
{
    /// <summary>How many inputs were cut.</summary>
    public int TruncatedCount => Truncated.Count(truncated => truncated);
}
