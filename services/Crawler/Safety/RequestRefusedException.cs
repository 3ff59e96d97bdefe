namespace AspireMmRag.Crawler.Safety;

/// <summary>A URL, redirect or address the safety checks refused. <see cref="Reason"/> is a short tag (metrics, logs).</summary>
public sealed class RequestRefusedException(string message, string reason, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Reason { get; } = reason;
}
