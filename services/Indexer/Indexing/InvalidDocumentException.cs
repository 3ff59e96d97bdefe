namespace AspireMmRag.Indexer.Indexing;

/// <summary>A message that can never be indexed as it is (missing id, bad media reference...): no retry, straight to the error queue.</summary>
public sealed class InvalidDocumentException(string message) : Exception(message);
