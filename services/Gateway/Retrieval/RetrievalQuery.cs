namespace AspireMmRag.Gateway.Retrieval;

/// <summary>A validated retrieval request: the text, how many passages and images, and the store filters.</summary>
public sealed record RetrievalQuery(
    string Text,
    int TopK,
    int ImageTopK,
    IReadOnlyCollection<string>? DocumentIds,
    IReadOnlyCollection<string>? Sources)
{
    public bool WantsPassages => TopK > 0;
    public bool WantsImages => ImageTopK > 0;
}
