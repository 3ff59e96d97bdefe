using AspireMmRag.Gateway.Model;

namespace AspireMmRag.Gateway.Retrieval;

/// <summary>Passages numbered 1..k, images best first, and where the time went (milliseconds: the slower path's embedding and
/// its searches, the whole retrieval, and — when the store ran them apart — the dense and the full-text passage searches).</summary>
public sealed record RetrievalResult(
    IReadOnlyList<Citation> Passages,
    IReadOnlyList<ImageHit> Images,
    IReadOnlyList<string> Warnings,
    double EmbedMs,
    double SearchMs,
    double TotalMs,
    PassageSearchMode Mode = PassageSearchMode.Hybrid,
    double? DenseSearchMs = null,
    double? TextSearchMs = null);
