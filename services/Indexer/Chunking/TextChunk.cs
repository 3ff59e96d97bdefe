namespace AspireMmRag.Indexer.Chunking;

/// <param name="Section">The section path the chunk comes from.</param>
/// <param name="Text">What is embedded and stored (with the heading when configured).</param>
public sealed record TextChunk(int Index, string Section, string Text, int EstimatedTokens);
