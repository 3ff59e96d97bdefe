namespace AspireMmRag.Indexer.Chunking;

/// <summary>How documents are cut into passages. Bound from <c>Chunking</c>. Token counts are WordPiece tokens of the
/// passage model's own tokenizer (<see cref="PassageTokenizer"/>), counted on the text that is embedded.</summary>
public sealed class ChunkingOptions
{
    public const string SectionName = "Chunking";

    /// <summary>The most tokens the passage model reads from a passage: 512 less [CLS] and [SEP].</summary>
    public const int ModelTokenLimit = 510;

    /// <summary>Where <see cref="Vocabulary"/> points by default: the snowflake-arctic-embed-xs vocabulary extracted at build
    /// time next to the indexer (the embedder's default passage model).</summary>
    public const string DefaultVocabulary = "tokenizers/snowflake-arctic-embed-xs/vocab.txt";

    /// <summary>Tokens per chunk, the heading included; at most <see cref="ModelTokenLimit"/>, so no chunk is truncated.</summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>Tokens of whole sentences repeated from the end of one chunk at the start of the next (at most).</summary>
    public int OverlapTokens { get; set; } = 48;

    /// <summary>Prefix each chunk with its document title and section path, so a chunk read alone still says what it is about.</summary>
    public bool IncludeHeading { get; set; } = true;

    /// <summary>The passage model's WordPiece vocabulary (<c>vocab.txt</c>); a relative path is resolved against the indexer's
    /// folder. It must be the vocabulary of the model the embedder serves as "passage".</summary>
    public string Vocabulary { get; set; } = DefaultVocabulary;

    /// <summary>Whether the passage model lower-cases text before tokenizing (as the embedder's <c>Models:Passage:LowerCase</c>).</summary>
    public bool LowerCase { get; set; } = true;
}
