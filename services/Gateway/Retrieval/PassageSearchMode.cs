namespace AspireMmRag.Gateway.Retrieval;

/// <summary>How passages are found: by vector (<see cref="Dense"/>), by words (<see cref="Bm25"/>), or both fused by
/// reciprocal rank (<see cref="Hybrid"/>, the default).</summary>
public enum PassageSearchMode
{
    Hybrid,
    Dense,
    Bm25,
}

public static class PassageSearchModes
{
    public static bool TryParse(string? value, out PassageSearchMode mode)
    {
        switch (value?.ToLowerInvariant())
        {
            case "hybrid":
                mode = PassageSearchMode.Hybrid;
                return true;
            case "dense":
                mode = PassageSearchMode.Dense;
                return true;
            case "bm25":
                mode = PassageSearchMode.Bm25;
                return true;
            default:
                mode = default;
                return false;
        }
    }

    public static string Name(this PassageSearchMode mode) => mode.ToString().ToLowerInvariant();
}
