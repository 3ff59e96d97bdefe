namespace AspireMmRag.Embedder.Inference;

/// <summary>What the describe call reports for one loaded (or missing) model.</summary>
public sealed record ModelDescription(
    string Name,
    string ModelId,
    int Dimension,
    string ExecutionProvider,
    int MaxTokens,
    IReadOnlyList<string> Modalities,
    bool Available,
    string UnavailableReason = "");
