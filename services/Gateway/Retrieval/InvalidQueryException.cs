namespace AspireMmRag.Gateway.Retrieval;

/// <summary>The request cannot be served as asked (an unknown document id, a query the embedder refuses); a 400 for the caller.</summary>
public sealed class InvalidQueryException(string message, Exception? inner = null) : Exception(message, inner);
