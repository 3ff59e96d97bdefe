namespace AspireMmRag.Embedder.Models;

/// <summary>
/// A model cannot serve: still loading (<see cref="IsLoading"/>, worth a retry; gRPC UNAVAILABLE) or not available on this
/// machine (gRPC FAILED_PRECONDITION), e.g. CLIP without downloaded weights.
/// </summary>
public sealed class ModelUnavailableException(string model, string reason, bool isLoading)
    : Exception($"The {model} model is {(isLoading ? "still loading" : "unavailable")}: {reason}")
{
    public string Model { get; } = model;
    public bool IsLoading { get; } = isLoading;
}
