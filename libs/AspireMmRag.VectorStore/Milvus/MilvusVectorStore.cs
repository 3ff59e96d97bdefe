using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>
/// <see cref="IVectorStore"/> on Milvus through its REST API v2 (no gRPC client). A typed HttpClient: register it with
/// <see cref="MilvusServiceCollectionExtensions.AddMilvusVectorStore"/> for its timeout and retry policy and ServiceDefaults'
/// service discovery.
/// <list type="bullet">
/// <item>Errors: a Milvus error code, an HTTP error, an unreadable answer or a timeout (<see cref="MilvusOptions.RequestTimeout"/>)
/// throw <see cref="MilvusRequestException"/> (a <see cref="VectorStoreException"/>); cancelling the caller's token throws
/// <see cref="OperationCanceledException"/>. Invalid input throws <see cref="ArgumentException"/> before any request.</item>
/// <item>Scores: Milvus's COSINE <c>distance</c> is the cosine similarity; <see cref="VectorSearchOptions.MinScore"/> is applied
/// to the returned top-k on the client (a threshold, not a range search: fewer than TopK hits may come back).</item>
/// <item>Delete counts are the matching rows counted (<c>count(*)</c>) just before each delete, as the delete answer has no count.</item>
/// <item>Consistency: reads that decide what to delete (<see cref="ListIdsAsync"/>, the count before a delete) use
/// <c>Strong</c> consistency, so they see every write acknowledged before them; searches and <see cref="CountAsync"/> use
/// <see cref="MilvusOptions.ConsistencyLevel"/> (the collection's default when unset).</item>
/// <item>Full text: the passages collection carries Milvus 2.5's BM25 fields (<see cref="MilvusFullText"/>); a passages
/// collection without them is refused, and the previous default collection (<see cref="MilvusOptions.LegacyPassagesCollection"/>)
/// is reported when it still exists.</item>
/// </list>
/// </summary>
public sealed partial class MilvusVectorStore : IVectorStore
{
    private static readonly string[] IdOutput = [MilvusSchema.Id];
    private static readonly string[] CountOutput = ["count(*)"];

    /// <summary>The <c>consistencyLevel</c> of reads that decide what to delete.</summary>
    internal const string StrongConsistency = "Strong";

    private readonly MilvusOptions _options;
    private readonly MilvusSchemaCache _schemaCache;
    private readonly ILogger<MilvusVectorStore> _logger;
    private readonly MilvusRestClient _client;

    public MilvusVectorStore(HttpClient httpClient, IOptions<MilvusOptions> options, MilvusSchemaCache schemaCache, ILogger<MilvusVectorStore> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schemaCache);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        MilvusOptionsValidator.ThrowIfInvalid(_options);
        _schemaCache = schemaCache;
        _logger = logger;
        _client = new MilvusRestClient(httpClient, _options, logger);
    }

    public async Task EnsureCollectionsAsync(CollectionDimensions dimensions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions.Passages, 1, nameof(dimensions));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions.Passages, MilvusSchema.MaxDimension, nameof(dimensions));
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions.Images, 1, nameof(dimensions));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions.Images, MilvusSchema.MaxDimension, nameof(dimensions));

        await EnsureCollectionAsync(MilvusSchema.Passages, dimensions.Passages, cancellationToken).ConfigureAwait(false);
        await ReportLegacyPassagesAsync(cancellationToken).ConfigureAwait(false);
        await EnsureCollectionAsync(MilvusSchema.Images, dimensions.Images, cancellationToken).ConfigureAwait(false);
        await EnsureCollectionAsync(MilvusSchema.ImageCaptions, dimensions.ImageCaptions, cancellationToken).ConfigureAwait(false);
    }

    public Task UpsertPassagesAsync(IReadOnlyList<PassageRecord> records, CancellationToken cancellationToken) =>
        UpsertAsync(MilvusSchema.Passages, records, static r => r.Id, MilvusRecordValidator.ValidatePassage, MilvusRowMapper.WritePassage, cancellationToken);

    public Task UpsertImagesAsync(IReadOnlyList<ImageRecord> records, CancellationToken cancellationToken) =>
        UpsertAsync(MilvusSchema.Images, records, static r => r.Id, MilvusRecordValidator.ValidateImage, MilvusRowMapper.WriteImage, cancellationToken);

    public Task UpsertImageCaptionsAsync(IReadOnlyList<ImageRecord> records, CancellationToken cancellationToken) =>
        UpsertAsync(MilvusSchema.ImageCaptions, records, static r => r.Id, MilvusRecordValidator.ValidateImage, MilvusRowMapper.WriteImage, cancellationToken);

    /// <summary>Pages with an id cursor (<c>document_id == "d" &amp;&amp; id &gt; "last"</c>, <c>limit</c> =
    /// <see cref="MilvusOptions.QueryPageSize"/>) rather than <c>offset</c>, so it is not capped by Milvus's offset+limit ≤ 16384
    /// window; Milvus returns a limited query's rows in primary-key order, as pymilvus's QueryIterator relies on.
    /// Queries with <c>Strong</c> consistency: the indexer deletes the ids it lists that it did not just write, so the list
    /// must include those writes.</summary>
    public async Task<IReadOnlyList<string>> ListIdsAsync(VectorCollection collection, string documentId, CancellationToken cancellationToken)
    {
        MilvusRecordValidator.ValidateFilterValue(documentId, nameof(documentId));
        var name = CollectionName(collection);
        var documentFilter = MilvusFilter.EqualTo(MilvusSchema.DocumentId, documentId);
        var pageSize = _options.QueryPageSize;
        var ids = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        while (true)
        {
            var filter = cursor is null ? documentFilter : MilvusFilter.And(documentFilter, MilvusFilter.GreaterThan(MilvusSchema.Id, cursor));
            var body = MilvusRequests.Query(_options.Database, name, filter, IdOutput, pageSize, StrongConsistency);
            var data = await _client.PostAsync("entities/query", name, body, cancellationToken).ConfigureAwait(false);
            var page = ReadRows(data, "entities/query").Select(row => MilvusRowMapper.ReadString(row, MilvusSchema.Id)).ToList();
            foreach (var id in page)
            {
                if (seen.Add(id))
                {
                    ids.Add(id);
                }
            }
            if (page.Count < pageSize)
            {
                return ids;
            }
            var last = page.Max(MilvusPrimaryKeyComparer.Instance)!;
            if (cursor is not null && MilvusPrimaryKeyComparer.Instance.Compare(last, cursor) <= 0)
            {
                throw new VectorStoreException($"Milvus entities/query on '{name}' did not advance past id '{cursor}' while listing ids.");
            }
            cursor = last;
        }
    }

    public async Task<long> DeleteAsync(VectorCollection collection, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        for (var i = 0; i < ids.Count; i++)
        {
            MilvusRecordValidator.ValidateId(ids[i], $"{nameof(ids)}[{i}]", nameof(ids));
        }
        var name = CollectionName(collection);
        long deleted = 0;
        foreach (var batch in ids.Distinct(StringComparer.Ordinal).Chunk(_options.DeleteBatchSize))
        {
            deleted += await DeleteWhereAsync(name, MilvusFilter.In(MilvusSchema.Id, batch), cancellationToken).ConfigureAwait(false);
        }
        MilvusLog.Deleted(_logger, deleted, name);
        return deleted;
    }

    public async Task<long> DeleteDocumentAsync(string documentId, CancellationToken cancellationToken)
    {
        MilvusRecordValidator.ValidateFilterValue(documentId, nameof(documentId));
        var filter = MilvusFilter.EqualTo(MilvusSchema.DocumentId, documentId);
        long deleted = 0;
        foreach (var collection in new[] { VectorCollection.Passages, VectorCollection.Images, VectorCollection.ImageCaptions })
        {
            var name = CollectionName(collection);
            var count = await DeleteWhereAsync(name, filter, cancellationToken).ConfigureAwait(false);
            MilvusLog.Deleted(_logger, count, name);
            deleted += count;
        }
        return deleted;
    }

    public Task<IReadOnlyList<VectorSearchHit<PassageRecord>>> SearchPassagesAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken) =>
        SearchAsync(MilvusSchema.Passages, vector, options, MilvusRowMapper.ReadPassage, cancellationToken);

    public Task<IReadOnlyList<VectorSearchHit<ImageRecord>>> SearchImagesAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken) =>
        SearchAsync(MilvusSchema.Images, vector, options, MilvusRowMapper.ReadImage, cancellationToken);

    public Task<IReadOnlyList<VectorSearchHit<ImageRecord>>> SearchImageCaptionsAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken) =>
        SearchAsync(MilvusSchema.ImageCaptions, vector, options, MilvusRowMapper.ReadImage, cancellationToken);

    /// <summary><c>entities/query</c> with <c>outputFields: ["count(*)"]</c> and the document filter (empty filter: all rows).</summary>
    public Task<long> CountAsync(VectorCollection collection, string? documentId, CancellationToken cancellationToken)
    {
        var name = CollectionName(collection);
        if (documentId is null)
        {
            return CountWhereAsync(name, "", _options.ConsistencyLevel, cancellationToken);
        }
        MilvusRecordValidator.ValidateFilterValue(documentId, nameof(documentId));
        return CountWhereAsync(name, MilvusFilter.EqualTo(MilvusSchema.DocumentId, documentId), _options.ConsistencyLevel, cancellationToken);
    }

    private async Task EnsureCollectionAsync(MilvusCollectionSchema schema, int dimension, CancellationToken cancellationToken)
    {
        var name = CollectionName(schema.Kind);
        if (await HasCollectionAsync(name, cancellationToken).ConfigureAwait(false))
        {
            await VerifyExistingAsync(schema, name, dimension, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var body = MilvusRequests.CreateCollection(_options.Database, name, schema, dimension, _options.HnswM, _options.HnswEfConstruction);
            try
            {
                await _client.PostAsync("collections/create", name, body, cancellationToken).ConfigureAwait(false);
                MilvusLog.CollectionCreated(_logger, name, dimension, _options.HnswM, _options.HnswEfConstruction);
            }
            catch (MilvusRequestException) when (!cancellationToken.IsCancellationRequested)
            {
                // Another instance may have created it meanwhile: then verify it like any existing collection.
                if (!await HasCollectionAsync(name, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
                await VerifyExistingAsync(schema, name, dimension, cancellationToken).ConfigureAwait(false);
            }
        }
        _schemaCache.SetDimension(_options.Database, name, dimension);
        await LoadAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> HasCollectionAsync(string name, CancellationToken cancellationToken)
    {
        // collections/has → {"code":0,"data":{"has":true|false}} (Collection (v2)/Has.md)
        var data = await _client.PostAsync("collections/has", name, MilvusRequests.Collection(_options.Database, name), cancellationToken).ConfigureAwait(false);
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("has", out var has) && has.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return has.GetBoolean();
        }
        throw new MilvusRequestException($"Milvus collections/has on collection '{name}' answered without data.has.", "collections/has");
    }

    private async Task VerifyExistingAsync(MilvusCollectionSchema schema, string name, int dimension, CancellationToken cancellationToken)
    {
        var actual = await DescribeDimensionAsync(schema, name, cancellationToken).ConfigureAwait(false);
        if (actual != dimension)
        {
            var problem = $"its vector field '{MilvusSchema.Vector}' has dimension {actual}, but {dimension} was requested";
            MilvusLog.SchemaMismatch(_logger, name, problem);
            throw new VectorStoreException(
                $"Milvus collection '{name}' exists with vector dimension {actual}, but {dimension} is required; it is not reused. " +
                "Drop it (its vectors come from another model) or configure another collection name.");
        }
        MilvusLog.CollectionVerified(_logger, name, dimension);
    }

    /// <summary><c>collections/describe</c> → <c>data.fields[]</c> (<c>name</c>, <c>type</c>, <c>primaryKey</c>,
    /// <c>params:[{"key":"dim","value":"768"}]</c>) and <c>data.indexes[]</c> (<c>fieldName</c>, <c>metricType</c>)
    /// (Collection (v2)/Describe.md). Checks the fields this store writes and returns the vector dimension.</summary>
    private async Task<int> DescribeDimensionAsync(MilvusCollectionSchema schema, string name, CancellationToken cancellationToken)
    {
        var data = await _client.PostAsync("collections/describe", name, MilvusRequests.Collection(_options.Database, name), cancellationToken).ConfigureAwait(false);
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array)
        {
            throw new MilvusRequestException($"Milvus collections/describe on collection '{name}' answered without data.fields.", "collections/describe");
        }
        var byName = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var field in fields.EnumerateArray())
        {
            if (field.ValueKind == JsonValueKind.Object && field.TryGetProperty("name", out var fieldName) && fieldName.ValueKind == JsonValueKind.String)
            {
                byName[fieldName.GetString()!] = field;
            }
        }
        var missing = schema.Fields.Where(f => !byName.ContainsKey(f.Name)).Select(f => f.Name).ToList();
        if (schema.HasFullText && missing.Contains(MilvusFullText.Sparse))
        {
            throw LacksFullText(name, missing);
        }
        if (missing.Count > 0)
        {
            MilvusLog.SchemaMismatch(_logger, name, $"it has no field {string.Join(", ", missing.Select(f => $"'{f}'"))}");
            throw new VectorStoreException(
                $"Milvus collection '{name}' lacks the field{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing.Select(f => $"'{f}'"))} " +
                "that this store writes (it was created by an older version); it is not reused. Drop the collection " +
                $"(e.g. POST /v2/vectordb/collections/drop with {{\"collectionName\":\"{name}\"}}) and re-index the documents, " +
                "or configure another collection name.");
        }
        var dimension = 0;
        foreach (var expected in schema.Fields)
        {
            var field = byName[expected.Name];
            var type = field.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (!string.Equals(type, expected.Type.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                throw SchemaMismatch(name, $"field '{expected.Name}' is {type ?? "of unknown type"}, not {expected.Type}");
            }
            if (expected.IsPrimary && !(field.TryGetProperty("primaryKey", out var pk) && pk.ValueKind == JsonValueKind.True))
            {
                throw SchemaMismatch(name, $"field '{expected.Name}' is not the primary key");
            }
            if (expected.Type == MilvusDataType.FloatVector)
            {
                dimension = ReadDimension(field) ?? throw SchemaMismatch(name, $"field '{expected.Name}' has no readable 'dim'");
            }
        }
        if (data.TryGetProperty("indexes", out var indexes) && indexes.ValueKind == JsonValueKind.Array)
        {
            foreach (var index in indexes.EnumerateArray())
            {
                if (index.ValueKind == JsonValueKind.Object
                    && index.TryGetProperty("fieldName", out var indexField) && indexField.ValueEquals(MilvusSchema.Vector)
                    && index.TryGetProperty("metricType", out var metric) && metric.ValueKind == JsonValueKind.String
                    && !string.Equals(metric.GetString(), MilvusSchema.MetricType, StringComparison.OrdinalIgnoreCase))
                {
                    throw SchemaMismatch(name, $"its vector index uses the {metric.GetString()} metric, not {MilvusSchema.MetricType}");
                }
                if (schema.HasFullText && index.ValueKind == JsonValueKind.Object
                    && index.TryGetProperty("fieldName", out var sparseField) && sparseField.ValueEquals(MilvusFullText.Sparse)
                    && index.TryGetProperty("metricType", out var sparseMetric) && sparseMetric.ValueKind == JsonValueKind.String
                    && !string.Equals(sparseMetric.GetString(), MilvusFullText.MetricType, StringComparison.Ordinal))
                {
                    throw SchemaMismatch(name, $"its '{MilvusFullText.Sparse}' index uses the {sparseMetric.GetString()} metric, not {MilvusFullText.MetricType}");
                }
            }
        }
        return dimension;
    }

    private VectorStoreException SchemaMismatch(string name, string problem)
    {
        MilvusLog.SchemaMismatch(_logger, name, problem);
        return new VectorStoreException($"Milvus collection '{name}' does not match this store's schema: {problem}. It is not reused.");
    }

    private static int? ReadDimension(JsonElement field)
    {
        if (!field.TryGetProperty("params", out var parameters))
        {
            return null;
        }
        JsonElement? value = null;
        if (parameters.ValueKind == JsonValueKind.Array)
        {
            foreach (var parameter in parameters.EnumerateArray())
            {
                if (parameter.ValueKind == JsonValueKind.Object && parameter.TryGetProperty("key", out var key) && key.ValueEquals("dim")
                    && parameter.TryGetProperty("value", out var v))
                {
                    value = v;
                }
            }
        }
        else if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("dim", out var v))
        {
            value = v;
        }
        return value is { } element && MilvusRowMapper.TryReadInt64(element, out var dim) && dim is > 0 and <= MilvusSchema.MaxDimension
            ? (int)dim
            : null;
    }

    /// <summary><c>collections/load</c>, then polls <c>collections/get_load_state</c> (<c>data.loadState</c>,
    /// <c>data.loadProgress</c>; Collection (v2)/Get Load State.md) until <c>LoadStateLoaded</c> or <see cref="MilvusOptions.LoadTimeout"/>.</summary>
    private async Task LoadAsync(string name, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var body = MilvusRequests.Collection(_options.Database, name);
        await _client.PostAsync("collections/load", name, body, cancellationToken).ConfigureAwait(false);
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var data = await _client.PostAsync("collections/get_load_state", name, body, cancellationToken).ConfigureAwait(false);
            var state = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("loadState", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()
                : null;
            if (state == "LoadStateLoaded")
            {
                MilvusLog.CollectionLoaded(_logger, name, started.ElapsedMilliseconds);
                return;
            }
            if (state == "LoadStateNotExist")
            {
                throw new VectorStoreException($"Milvus collection '{name}' does not exist (get_load_state: LoadStateNotExist).");
            }
            if (started.Elapsed >= _options.LoadTimeout)
            {
                var progress = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("loadProgress", out var p) ? p.ToString() : "?";
                throw new VectorStoreException(
                    $"Milvus collection '{name}' did not load within {_options.LoadTimeout} (state {state ?? "unknown"}, progress {progress}%).");
            }
            var remaining = _options.LoadTimeout - started.Elapsed;
            await Task.Delay(delay < remaining ? delay : remaining, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
    }

    private async Task<int> GetDimensionAsync(MilvusCollectionSchema schema, CancellationToken cancellationToken)
    {
        var name = CollectionName(schema.Kind);
        if (_schemaCache.TryGetDimension(_options.Database, name, out var dimension))
        {
            return dimension;
        }
        dimension = await DescribeDimensionAsync(schema, name, cancellationToken).ConfigureAwait(false);
        _schemaCache.SetDimension(_options.Database, name, dimension);
        return dimension;
    }

    private async Task UpsertAsync<T>(MilvusCollectionSchema schema, IReadOnlyList<T> records, Func<T, string> idOf,
        Action<T, int, int, string> validate, Action<Utf8JsonWriter, T> writeRow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }
        var name = CollectionName(schema.Kind);
        var dimension = await GetDimensionAsync(schema, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < records.Count; i++)
        {
            validate(records[i], i, dimension, nameof(records));
        }

        // The same id twice in one call: the last one wins, as it would across calls.
        var lastIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            lastIndex[idOf(records[i])] = i;
        }
        IReadOnlyList<T> rows = lastIndex.Count == records.Count ? records : records.Where((r, i) => lastIndex[idOf(r)] == i).ToList();

        var batches = 0;
        foreach (var batch in rows.Chunk(_options.UpsertBatchSize))
        {
            // entities/upsert → {"code":0,"data":{"upsertCount":n,"upsertIds":[…]}} (Vector (v2)/Upsert.md)
            var body = MilvusRequests.Upsert(_options.Database, name, batch, writeRow);
            await _client.PostAsync("entities/upsert", name, body, cancellationToken).ConfigureAwait(false);
            batches++;
        }
        MilvusLog.Upserted(_logger, rows.Count, name, batches);
    }

    private async Task<IReadOnlyList<VectorSearchHit<T>>> SearchAsync<T>(MilvusCollectionSchema schema, float[] vector,
        VectorSearchOptions options, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var filter = SearchFilter(options);
        var name = CollectionName(schema.Kind);
        var dimension = await GetDimensionAsync(schema, cancellationToken).ConfigureAwait(false);
        MilvusRecordValidator.ValidateVector(vector, dimension, nameof(vector), nameof(vector));
        var hits = await VectorSearchAsync(name, vector, options.TopK, filter, schema.OutputFields, read, cancellationToken).ConfigureAwait(false);
        // MinScore ≤ -1 (the default) keeps everything, even a -1.0000001 rounding of an opposite vector.
        return options.MinScore <= -1f ? hits : hits.Where(h => h.Score >= options.MinScore).ToList();
    }

    /// <summary>Checks TopK, MinScore and the filter sets and returns the filter expression ("" for none).</summary>
    private static string SearchFilter(VectorSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TopK, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.TopK, MilvusOptionsValidator.MaxQueryWindow, nameof(options));
        if (float.IsNaN(options.MinScore))
        {
            throw new ArgumentException("MinScore is NaN.", nameof(options));
        }
        var documentIds = SearchFilters.DocumentIds(options, nameof(options));
        var sources = SearchFilters.Sources(options, nameof(options));
        foreach (var value in (documentIds ?? []).Concat(sources ?? []))
        {
            MilvusRecordValidator.ValidateFilterValue(value, nameof(options));
        }
        return MilvusFilter.And(
            documentIds is null ? null : MilvusFilter.In(MilvusSchema.DocumentId, documentIds),
            sources is null ? null : MilvusFilter.In(MilvusSchema.Source, sources));
    }

    private async Task<List<VectorSearchHit<T>>> VectorSearchAsync<T>(string name, float[] vector, int limit, string filter,
        IReadOnlyList<string> outputFields, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        var ef = Math.Max(_options.SearchEf, limit);
        var body = MilvusRequests.Search(_options.Database, name, vector, limit, filter, outputFields, ef, _options.ConsistencyLevel);
        // entities/search → {"code":0,"data":[{"id":…,"distance":…,<outputFields>}],"topks":[k]} (Vector (v2)/Search.md)
        var data = await _client.PostAsync("entities/search", name, body, cancellationToken).ConfigureAwait(false);
        return ReadHits(data, name, "entities/search", read);
    }

    /// <summary>Search hits (<c>{"id":…,"distance":…,&lt;outputFields&gt;}</c>) best first, the distance as the score.</summary>
    private static List<VectorSearchHit<T>> ReadHits<T>(JsonElement data, string name, string action, Func<JsonElement, T> read)
    {
        var hits = new List<VectorSearchHit<T>>();
        foreach (var row in ReadRows(data, action))
        {
            if (!row.TryGetProperty("distance", out var distance) || distance.ValueKind != JsonValueKind.Number)
            {
                throw new VectorStoreException($"A Milvus {action} hit from '{name}' has no numeric distance.");
            }
            hits.Add(new VectorSearchHit<T>(read(row), distance.GetSingle()));
        }
        return hits.OrderByDescending(h => h.Score).ToList();
    }

    private async Task<long> DeleteWhereAsync(string name, string filter, CancellationToken cancellationToken)
    {
        // Strong: a stale count of 0 would skip the delete of rows written just before.
        var count = await CountWhereAsync(name, filter, StrongConsistency, cancellationToken).ConfigureAwait(false);
        if (count == 0)
        {
            return 0;
        }
        // entities/delete → {"code":0,"data":{}} (Vector (v2)/Delete.md)
        await _client.PostAsync("entities/delete", name, MilvusRequests.Delete(_options.Database, name, filter), cancellationToken).ConfigureAwait(false);
        return count;
    }

    private async Task<long> CountWhereAsync(string name, string filter, string? consistencyLevel, CancellationToken cancellationToken)
    {
        // entities/query with outputFields ["count(*)"] → {"code":0,"data":[{"count(*)":n}]} (Milvus "Query" guide, Count Entities)
        var body = MilvusRequests.Query(_options.Database, name, filter, CountOutput, limit: null, consistencyLevel);
        var data = await _client.PostAsync("entities/query", name, body, cancellationToken).ConfigureAwait(false);
        var rows = ReadRows(data, "entities/query");
        if (rows.Count == 1 && rows[0].TryGetProperty("count(*)", out var count) && MilvusRowMapper.TryReadInt64(count, out var value))
        {
            return value;
        }
        throw new VectorStoreException($"Milvus count(*) on '{name}' answered without a count.");
    }

    private static List<JsonElement> ReadRows(JsonElement data, string action)
    {
        return data.ValueKind switch
        {
            JsonValueKind.Array => data.EnumerateArray().ToList(),
            JsonValueKind.Undefined or JsonValueKind.Null => [],
            _ => throw new VectorStoreException($"Milvus {action} answered data that is not an array: {data.ValueKind}."),
        };
    }

    private string CollectionName(VectorCollection collection) => collection switch
    {
        VectorCollection.Passages => _options.PassagesCollection,
        VectorCollection.Images => _options.ImagesCollection,
        VectorCollection.ImageCaptions => _options.ImageCaptionsCollection,
        _ => throw new ArgumentOutOfRangeException(nameof(collection), collection, "Unknown collection."),
    };
}
