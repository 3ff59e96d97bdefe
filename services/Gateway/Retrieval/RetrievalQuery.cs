namespace AspireMmRag.Gateway.Retrieval;

/// <summary>A validated retrieval request: the text, how many passages and images, the store filters and how passages are
/// searched.</summary>
public sealed record RetrievalQuery(
    string Text,
    int TopK,
    int ImageTopK,
    IReadOnlyCollection<string>? DocumentIds,
    IReadOnlyCollection<string>? Sources,
    PassageSearchMode Mode = PassageSearchMode.Hybrid)
{
    public bool WantsPassages => TopK > 0;
    public bool WantsImages => ImageTopK > 0;
}
