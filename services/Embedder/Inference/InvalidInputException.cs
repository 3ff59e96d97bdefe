namespace AspireMmRag.Embedder.Inference;

/// <summary>
/// The caller's input cannot be embedded (empty or oversized text, corrupt or oversized image, unknown model...).
/// The gRPC layer maps it to <c>INVALID_ARGUMENT</c> with <see cref="Exception.Message"/> as the detail,
/// so the message must say what was wrong in words a caller can act on.
/// </summary>
public sealed class InvalidInputException(string message) : Exception(message);
