namespace AspireMmRag.Gateway.Model;

/// <summary><c>GET /api/models</c>: the embedding models the embedder reports, and the language model.</summary>
public sealed record ModelsResponse(IReadOnlyList<EmbeddingModelInfo> Embedding, LanguageModelInfo Llm);

public sealed record EmbeddingModelInfo(string Replica, string Name, string ModelId, int Dimension, string ExecutionProvider, bool Available, string? Reason);

/// <summary><see cref="Provider"/>: <c>ollama</c>, <c>llamasharp</c> or <c>none</c>.</summary>
public sealed record LanguageModelInfo(string Provider, string? Model, string? Endpoint, bool Available, string? Reason);
