namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// Rows not (yet) in the ANN index, scanned exactly: like a Milvus growing segment. The vectors of all rows sit in one
/// contiguous array so that a scan streams through memory. Rows are appended in change-sequence order; rows
/// [0, <see cref="Indexed"/>) have moved into the ANN index and are no longer scanned. A deleted row keeps its place
/// with document ordinal 0.
/// </summary>
internal sealed class FreshSegment
{
    public FreshSegment(int capacity, int dimensions)
    {
        Capacity = capacity;
        Dimensions = dimensions;
        Vectors = new float[capacity * dimensions];
        Keys = new long[capacity];
        Seqs = new long[capacity];
        DocumentOrdinals = new int[capacity];
        SourceOrdinals = new int[capacity];
    }

    public int Capacity { get; }

    public int Dimensions { get; }

    public float[] Vectors { get; }

    public long[] Keys { get; }

    public long[] Seqs { get; }

    /// <summary>0 marks a deleted row.</summary>
    public int[] DocumentOrdinals { get; }

    public int[] SourceOrdinals { get; }

    public int Count { get; private set; }

    /// <summary>Rows before this one are in the ANN index.</summary>
    public int Indexed { get; set; }

    /// <summary>Rows deleted while still here (not in the ANN index).</summary>
    public int Dead { get; set; }

    public bool IsFull => Count == Capacity;

    public int Append(long key, long seq, int document, int source, ReadOnlySpan<float> vector)
    {
        var row = Count;
        vector.CopyTo(Vectors.AsSpan(row * Dimensions, Dimensions));
        Keys[row] = key;
        Seqs[row] = seq;
        DocumentOrdinals[row] = document;
        SourceOrdinals[row] = source;
        Count = row + 1;
        return row;
    }

    public ReadOnlySpan<float> Vector(int row) => Vectors.AsSpan(row * Dimensions, Dimensions);
}
