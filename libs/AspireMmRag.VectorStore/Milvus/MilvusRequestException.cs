using System.Net;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>A Milvus REST call failed: Milvus answered a non-success <c>code</c>, an HTTP error, an unreadable body,
/// or the call timed out (<see cref="Exception.InnerException"/> is then a <see cref="TimeoutException"/>).</summary>
public sealed class MilvusRequestException(
    string message,
    string action,
    int? code = null,
    HttpStatusCode? statusCode = null,
    Exception? inner = null) : VectorStoreException(message, inner)
{
    /// <summary>The REST action, e.g. <c>entities/search</c>.</summary>
    public string Action { get; } = action;

    /// <summary>Milvus's error <c>code</c> when it sent one (e.g. 1100 for an invalid parameter).</summary>
    public int? Code { get; } = code;

    /// <summary>The HTTP status when the failure was an HTTP error.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;
}
