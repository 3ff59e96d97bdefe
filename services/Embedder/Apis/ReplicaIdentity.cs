namespace AspireMmRag.Embedder.Apis;

/// <summary>Names this embedder instance in responses, so callers (and tests) can see which replica served them.</summary>
public sealed class ReplicaIdentity
{
    public string Id { get; } = $"{Environment.MachineName}/pid:{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
}
