namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Where a live row is: its document and source ordinals, and its place in a fresh segment if it has one.</summary>
internal struct RowEntry
{
    public int Document;
    public int Source;
    public FreshSegment? Segment;
    public int Row;
}
