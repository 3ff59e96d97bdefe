namespace AspireMmRag.Gateway.Retrieval;

/// <summary>Settings under <c>Retrieval</c>: how many candidates are fetched and how image scores are fused.</summary>
public sealed class RetrievalOptions
{
    public const string SectionName = "Retrieval";

    public int DefaultTopK { get; set; } = 4;
    public int DefaultImageTopK { get; set; } = 3;

    /// <summary>How passages are searched when a request does not say: <c>Hybrid</c> (dense + BM25, reciprocal-rank fused),
    /// <c>Dense</c> or <c>Bm25</c>.</summary>
    public PassageSearchMode PassageMode { get; set; } = PassageSearchMode.Hybrid;

    /// <summary>The reciprocal-rank fusion constant k and the weights of the dense and the BM25 list.</summary>
    public int RrfK { get; set; } = 60;
    public float DenseWeight { get; set; } = 1f;
    public float TextWeight { get; set; } = 1f;

    /// <summary>Candidates fetched from each image list (CLIP and captions) per returned image, at least <see cref="MinImageCandidates"/>.</summary>
    public int ImageCandidatesPerResult { get; set; } = 4;
    public int MinImageCandidates { get; set; } = 12;

    /// <summary>Weight of the CLIP text→image similarity in the fused image score.</summary>
    public double ClipWeight { get; set; } = 0.5;

    /// <summary>Weight of the question→caption similarity (passage model) in the fused image score.</summary>
    public double CaptionWeight { get; set; } = 1.0;

    /// <summary>Added when the image belongs to the document of one of the top passages.</summary>
    public double DocumentBoost { get; set; } = 0.03;

    /// <summary>Added (on top of <see cref="DocumentBoost"/>) when the image is in the same section as one of the top passages.</summary>
    public double SectionBoost { get; set; } = 0.03;

    /// <summary>Images whose fused score is below this are not shown: a question with no relevant image gets none.
    /// The default is calibrated on the labelled set in tests/Gateway.Tests (see README, "Image threshold").</summary>
    public double ImageMinScore { get; set; } = 0.72;
}
