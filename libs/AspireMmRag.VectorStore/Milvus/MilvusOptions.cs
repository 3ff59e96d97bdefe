namespace AspireMmRag.VectorStore.Milvus;

/// <summary>Settings of <see cref="MilvusVectorStore"/> (configuration section <c>Milvus</c> by convention).</summary>
public sealed class MilvusOptions
{
    public const string SectionName = "Milvus";

    /// <summary>The Milvus REST endpoint (gRPC and REST share port 19530). A service-discovery name such as
    /// <c>http://milvus</c> works when the HttpClient has service discovery (ServiceDefaults adds it).</summary>
    public Uri Endpoint { get; set; } = new("http://localhost:19530");

    /// <summary>Optional credentials sent as <c>Authorization: Bearer &lt;token&gt;</c>: an API key or <c>user:password</c>
    /// (e.g. <c>root:Milvus</c>) when Milvus runs with authorization enabled.</summary>
    public string? Token { get; set; }

    /// <summary>The database (<c>dbName</c>) every request targets.</summary>
    public string Database { get; set; } = "default";

    /// <summary>The passages collection of this schema version: version 2 added the BM25 full-text fields, which Milvus 2.5
    /// cannot add to an existing collection, so it is a new collection that re-indexing fills.</summary>
    public const string DefaultPassagesCollection = "passages_v2";

    /// <summary>The default passages collection before the full-text fields; reported when it still exists.</summary>
    public const string LegacyPassagesCollection = "passages";

    public string PassagesCollection { get; set; } = DefaultPassagesCollection;

    public string ImagesCollection { get; set; } = "images";

    public string ImageCaptionsCollection { get; set; } = "image_captions";

    /// <summary>Timeout of one REST call; also sent to Milvus as the <c>Request-Timeout</c> header (whole seconds).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <see cref="MilvusVectorStore.EnsureCollectionsAsync"/> waits for a collection to reach <c>LoadStateLoaded</c>.</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>HNSW <c>M</c> (max degree of a node), used when a collection is created. Milvus accepts 2..2048.</summary>
    public int HnswM { get; set; } = 16;

    /// <summary>HNSW <c>efConstruction</c>, used when a collection is created.</summary>
    public int HnswEfConstruction { get; set; } = 200;

    /// <summary>HNSW <c>ef</c> at search time; raised to the request's TopK when smaller (Milvus requires ef ≥ limit).</summary>
    public int SearchEf { get; set; } = 64;

    /// <summary>Rows per <c>entities/upsert</c> call.</summary>
    public int UpsertBatchSize { get; set; } = 500;

    /// <summary>Ids per <c>entities/delete</c> filter (<c>id in [...]</c>).</summary>
    public int DeleteBatchSize { get; set; } = 500;

    /// <summary>Rows per <c>entities/query</c> page when listing ids (at most 16384, Milvus's query window).</summary>
    public int QueryPageSize { get; set; } = 16384;

    /// <summary>Optional <c>consistencyLevel</c> for queries and searches (<c>Strong</c>, <c>Bounded</c>, <c>Session</c>,
    /// <c>Eventually</c>); null uses the collection's default (Bounded).</summary>
    public string? ConsistencyLevel { get; set; }
}
