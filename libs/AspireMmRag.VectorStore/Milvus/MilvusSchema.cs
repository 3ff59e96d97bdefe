namespace AspireMmRag.VectorStore.Milvus;

/// <summary>Milvus field data types this store uses (the REST <c>dataType</c> / describe <c>type</c> names).</summary>
internal enum MilvusDataType
{
    VarChar,
    Int64,
    FloatVector,
    SparseFloatVector,
}

/// <summary>One scalar or vector field. <see cref="MaxLength"/> is Milvus's VarChar <c>max_length</c>, which Milvus
/// checks against the UTF-8 byte length of a value. <see cref="IsAnalyzed"/> marks the VarChar that Milvus's analyzer
/// tokenizes for BM25 (<see cref="MilvusFullText"/>).</summary>
internal sealed record MilvusField(string Name, MilvusDataType Type, int MaxLength = 0, bool IsPrimary = false, bool IsAnalyzed = false);

/// <summary>The fixed schema of one collection; <see cref="HasFullText"/> when it carries the BM25 fields, function and index
/// of <see cref="MilvusFullText"/>.</summary>
internal sealed record MilvusCollectionSchema(VectorCollection Kind, IReadOnlyList<MilvusField> Fields, bool HasFullText = false)
{
    /// <summary>Fields returned with search hits: the scalar fields but the primary key (it comes back anyway) and the
    /// analysed search text (a copy of title, section and text).</summary>
    public IReadOnlyList<string> OutputFields { get; } = Fields
        .Where(f => f.Type is MilvusDataType.VarChar or MilvusDataType.Int64 && !f.IsPrimary && !f.IsAnalyzed)
        .Select(f => f.Name)
        .ToArray();
}

/// <summary>Field names and limits of the passages, images and image captions collections (autoID off, no dynamic field).</summary>
internal static class MilvusSchema
{
    public const string Id = "id";
    public const string Vector = "vector";
    public const string Text = "text";
    public const string DocumentId = "document_id";
    public const string Source = "source";
    public const string Title = "title";
    public const string Url = "url";
    public const string Section = "section";
    public const string Revision = "revision";
    public const string ChunkIndex = "chunk_index";
    public const string MediaRef = "media_ref";
    public const string Caption = "caption";
    public const string Attribution = "attribution";
    public const string SourceUrl = "source_url";
    public const string DescriptionUrl = "description_url";
    public const string License = "license";
    public const string MimeType = "mime_type";

    public const int IdMaxLength = 128;
    public const int TextMaxLength = 8192;
    public const int DocumentIdMaxLength = 256;
    public const int SourceMaxLength = 64;
    public const int TitleMaxLength = 1024;
    public const int UrlMaxLength = 2048;
    public const int SectionMaxLength = 1024;
    public const int RevisionMaxLength = 128;
    public const int MediaRefMaxLength = 1024;
    public const int CaptionMaxLength = 4096;
    public const int AttributionMaxLength = 4096;
    public const int LicenseMaxLength = 1024;
    public const int MimeTypeMaxLength = 255;

    /// <summary>Milvus's largest FloatVector dimension.</summary>
    public const int MaxDimension = 32768;

    public const string MetricType = "COSINE";
    public const string IndexType = "HNSW";

    public static readonly MilvusCollectionSchema Passages = new(VectorCollection.Passages,
    [
        new(Id, MilvusDataType.VarChar, IdMaxLength, IsPrimary: true),
        new(Vector, MilvusDataType.FloatVector),
        new(Text, MilvusDataType.VarChar, TextMaxLength),
        new(DocumentId, MilvusDataType.VarChar, DocumentIdMaxLength),
        new(Source, MilvusDataType.VarChar, SourceMaxLength),
        new(Title, MilvusDataType.VarChar, TitleMaxLength),
        new(Url, MilvusDataType.VarChar, UrlMaxLength),
        new(Section, MilvusDataType.VarChar, SectionMaxLength),
        new(Revision, MilvusDataType.VarChar, RevisionMaxLength),
        new(ChunkIndex, MilvusDataType.Int64),
        new(MilvusFullText.SearchText, MilvusDataType.VarChar, MilvusFullText.SearchTextMaxLength, IsAnalyzed: true),
        new(MilvusFullText.Sparse, MilvusDataType.SparseFloatVector),
    ], HasFullText: true);

    /// <summary>The fields of both image collections (they differ only in what their vectors embed).</summary>
    private static readonly MilvusField[] ImageFields =
    [
        new(Id, MilvusDataType.VarChar, IdMaxLength, IsPrimary: true),
        new(Vector, MilvusDataType.FloatVector),
        new(MediaRef, MilvusDataType.VarChar, MediaRefMaxLength),
        new(Caption, MilvusDataType.VarChar, CaptionMaxLength),
        new(Attribution, MilvusDataType.VarChar, AttributionMaxLength),
        new(DocumentId, MilvusDataType.VarChar, DocumentIdMaxLength),
        new(Source, MilvusDataType.VarChar, SourceMaxLength),
        new(Url, MilvusDataType.VarChar, UrlMaxLength),
        new(Revision, MilvusDataType.VarChar, RevisionMaxLength),
        new(Title, MilvusDataType.VarChar, TitleMaxLength),
        new(Section, MilvusDataType.VarChar, SectionMaxLength),
        new(SourceUrl, MilvusDataType.VarChar, UrlMaxLength),
        new(DescriptionUrl, MilvusDataType.VarChar, UrlMaxLength),
        new(License, MilvusDataType.VarChar, LicenseMaxLength),
        new(MimeType, MilvusDataType.VarChar, MimeTypeMaxLength),
    ];

    public static readonly MilvusCollectionSchema Images = new(VectorCollection.Images, ImageFields);

    public static readonly MilvusCollectionSchema ImageCaptions = new(VectorCollection.ImageCaptions, ImageFields);

    public static MilvusCollectionSchema For(VectorCollection collection) => collection switch
    {
        VectorCollection.Passages => Passages,
        VectorCollection.Images => Images,
        VectorCollection.ImageCaptions => ImageCaptions,
        _ => throw new ArgumentOutOfRangeException(nameof(collection), collection, "Unknown collection."),
    };
}
