namespace AspireMmRag.Indexer.Chunking;

/// <param name="Section">The section path the chunk comes from.</param>
/// <param name="Text">What is embedded and stored (with the heading when configured).</param>
/// <param name="Tokens">The WordPiece tokens of <paramref name="Text"/> by the passage model's tokenizer (no [CLS]/[SEP]).</param>
public sealed record TextChunk(int Index, string Section, string Text, int Tokens);
