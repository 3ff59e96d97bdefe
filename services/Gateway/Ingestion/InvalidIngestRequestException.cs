namespace AspireMmRag.Gateway.Ingestion;

/// <summary>An ingest request that cannot be accepted as sent (answered 400 with the message).</summary>
public sealed class InvalidIngestRequestException(string message) : Exception(message);
