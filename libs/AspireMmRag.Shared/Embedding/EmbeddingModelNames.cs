namespace AspireMmRag.Embedding;

/// <summary>The model names the embedder serves (see protos/embedder.proto).</summary>
public static class EmbeddingModelNames
{
    /// <summary>CLIP ViT-B/32: texts and images in one space.</summary>
    public const string Clip = "clip";

    /// <summary>The text-passage model (queries and passages).</summary>
    public const string Passage = "passage";
}
