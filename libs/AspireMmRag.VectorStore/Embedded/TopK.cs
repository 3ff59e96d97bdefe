namespace AspireMmRag.VectorStore.Embedded;

/// <summary>The k best (key, score) pairs seen, best first; cheap rejection below the current k-th score.</summary>
internal sealed class TopK
{
    private readonly long[] _keys;
    private readonly float[] _scores;

    public TopK(int k)
    {
        _keys = new long[k];
        _scores = new float[k];
    }

    public int Count { get; private set; }

    /// <summary>A score must beat this to enter.</summary>
    public float Threshold => Count < _keys.Length ? float.NegativeInfinity : _scores[Count - 1];

    public void Add(long key, float score)
    {
        var k = _keys.Length;
        if (Count == k && !(score > _scores[k - 1]))
        {
            return;
        }
        var i = Count == k ? k - 1 : Count++;
        while (i > 0 && _scores[i - 1] < score)
        {
            _scores[i] = _scores[i - 1];
            _keys[i] = _keys[i - 1];
            i--;
        }
        _scores[i] = score;
        _keys[i] = key;
    }

    public long KeyAt(int index) => _keys[index];

    public float ScoreAt(int index) => _scores[index];
}
