namespace AspireMmRag.Gateway.Retrieval;

/// <summary>A service the gateway needs (the embedder, the vector store) did not answer; the request may succeed later.</summary>
public sealed class DependencyUnavailableException(string dependency, string detail, Exception? inner = null)
    : Exception($"The {dependency} is unavailable: {detail}", inner)
{
    public string Dependency { get; } = dependency;
}
