namespace AspireMmRag.Gateway.Model;

/// <summary>The JSON answer of <c>POST /api/ask</c>.</summary>
public sealed record AskResponse
{
    public required string Answer { get; init; }

    /// <summary><see cref="AnswerModes.Llm"/> or <see cref="AnswerModes.RetrievalOnly"/>.</summary>
    public required string Mode { get; init; }

    /// <summary>The language model that wrote the answer; null in retrieval-only mode.</summary>
    public string? Model { get; init; }

    public required IReadOnlyList<Citation> Citations { get; init; }
    public required IReadOnlyList<ImageHit> Images { get; init; }
    public required IReadOnlyList<int> UsedCitations { get; init; }
    public required IReadOnlyList<string> UsedImageIds { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    public required AskTimings Timings { get; init; }
}

/// <summary>Milliseconds: the query embeddings, the searches, the first answer text, the whole request; and the dense and the
/// full-text (BM25) passage searches, when the store ran them apart (null when it fused them itself, as Milvus does).</summary>
public sealed record AskTimings(double EmbedMs, double SearchMs, double? FirstTokenMs, double TotalMs, double? DenseSearchMs = null, double? TextSearchMs = null);

public static class AnswerModes
{
    public const string Llm = "llm";
    public const string RetrievalOnly = "retrieval-only";
}
