namespace AspireMmRag.Gateway.Retrieval;

/// <summary>A filter named documents the store does not hold.</summary>
public sealed class UnknownDocumentsException(IReadOnlyList<string> documentIds)
    : Exception($"Unknown document ids: {string.Join(", ", documentIds)}.")
{
    public IReadOnlyList<string> DocumentIds { get; } = documentIds;
}
