namespace AspireMmRag.Embedder.Inference;

/// <summary>One input's vector and whether the input was cut to the model's token limit (the passage model sets it when a
/// text has more WordPiece tokens than <see cref="Passage.PassageModel.MaxTokens"/> minus [CLS] and [SEP]; the tail was not
/// embedded). Images and CLIP texts are reported as not truncated.</summary>
public readonly record struct ItemEmbedding(float[] Vector, bool Truncated);
