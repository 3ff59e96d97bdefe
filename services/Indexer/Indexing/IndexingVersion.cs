using AspireMmRag.Embedding;
using AspireMmRag.Indexer.Chunking;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>What decides a row's vector besides its fields: <see cref="Passages"/> (the passage model id) for passages,
/// <see cref="Images"/> (the passage and the CLIP model ids: an image's caption row and its CLIP row) for images. Part of
/// every record id (<see cref="RecordIds"/>). The chunker's settings need no part here: what they decide is the chunks' text,
/// which is in the passage ids itself, so a settings change re-writes exactly the chunks whose text changed.</summary>
public sealed record IndexingVersion(string Passages, string Images)
{
    public static IndexingVersion For(string passageModelId, string clipModelId) =>
        new($"passage={passageModelId}", $"passage={passageModelId};clip={clipModelId}");
}

/// <summary>
/// The current <see cref="IndexingVersion"/>: the model ids come from the embedder's DescribeModels (the configured id of a
/// model also when it is not loaded, as the embedder reports it), asked again once <see cref="IndexingOptions.ModelCheckInterval"/>
/// has passed since the last answer, so a swapped model is noticed without a restart. Logs each version it starts using.
/// </summary>
public sealed partial class IndexingVersions(EmbedderClient embedder, IOptions<ChunkingOptions> chunking,
    IOptions<IndexingOptions> options, TimeProvider time, ILogger<IndexingVersions> logger)
{
    /// <summary>The passage model whose vocabulary is <see cref="ChunkingOptions.DefaultVocabulary"/>.</summary>
    public const string DefaultVocabularyModel = "snowflake-arctic-embed-xs";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (IndexingVersion Version, long At)? _current;

    public async Task<IndexingVersion> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && time.GetElapsedTime(current.At) < options.Value.ModelCheckInterval)
        {
            return current.Version;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } fresh && time.GetElapsedTime(fresh.At) < options.Value.ModelCheckInterval)
            {
                return fresh.Version;
            }
            var models = await embedder.DescribeModelsAsync(cancellationToken);
            var passage = models.Models.FirstOrDefault(m => m.Name == EmbeddingModelNames.Passage)?.ModelId ?? "";
            var clip = models.Models.FirstOrDefault(m => m.Name == EmbeddingModelNames.Clip)?.ModelId ?? "";
            var version = IndexingVersion.For(passage, clip);
            if (_current?.Version != version)
            {
                LogVersion(logger, version.Passages, version.Images);
                if (chunking.Value.Vocabulary == ChunkingOptions.DefaultVocabulary && passage != DefaultVocabularyModel)
                {
                    LogOtherModel(logger, passage, DefaultVocabularyModel);
                }
            }
            _current = (version, time.GetTimestamp());
            return version;
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexing version: passages {Passages}; images {Images}")]
    private static partial void LogVersion(ILogger logger, string passages, string images);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The embedder's passage model is {Model} but chunks are counted with the vocabulary of {Default}: set Chunking:Vocabulary to that model's vocab.txt")]
    private static partial void LogOtherModel(ILogger logger, string model, string @default);
}
