namespace AspireMmRag.Gateway.Model;

/// <summary>A retrieved passage, numbered as the answer cites it (<c>[number]</c>).</summary>
public sealed record Citation
{
    public required int Number { get; init; }
    public required string DocumentId { get; init; }
    public required string Title { get; init; }
    public required string Url { get; init; }
    public required string Section { get; init; }
    public required string ChunkId { get; init; }
    public required string Text { get; init; }
    public required double Score { get; init; }
}
