extern alias indexer;
using AspireMmRag.Embedding;
using AspireMmRag.Embedding.Grpc;
using AspireMmRag.VectorStore;
using indexer::AspireMmRag.Indexer.Chunking;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Tests.Hybrid;

/// <summary>
/// The labelled set as the indexer stores it: each document cut by the indexer's own <see cref="TextChunker"/> (its default
/// options, which services/Indexer/appsettings.json repeats: 256 tokens, 48 overlap, title › section heading in the text),
/// the passages embedded by the real passage model through the embedder, written to a vector store; and the questions
/// embedded as queries (the embedder adds the model's query prefix).
/// </summary>
public static class RetrievalSetIndex
{
    public const int PassageDimension = 384;
    public const int ClipDimension = 512;
    private const int Batch = 32; // the embedder's MaxBatchSize and the indexer's PassageBatchSize

    public static IReadOnlyList<PassageRecord> Passages(LabelledSet set)
    {
        var chunker = new TextChunker(Options.Create(new ChunkingOptions()));
        return
        [
            .. set.Documents.SelectMany(document => chunker.Chunk(document.Title, document.Sections).Select(chunk => new PassageRecord
            {
                Id = $"{document.Id}#{chunk.Index}",
                DocumentId = document.Id,
                Source = LabelledSet.Source,
                Title = document.Title,
                Url = $"{LabelledSet.Source}/{document.Cluster}/{document.Slug}.md",
                Section = chunk.Section,
                ChunkIndex = chunk.Index,
                Text = chunk.Text,
                Revision = "1",
            })),
        ];
    }

    /// <summary>Embeds the passages and upserts them into <paramref name="store"/> (collections created when missing).</summary>
    public static async Task<IReadOnlyList<PassageRecord>> WriteAsync(EmbedderClient embedder, IVectorStore store, LabelledSet set,
        CancellationToken cancellationToken)
    {
        await store.EnsureCollectionsAsync(new CollectionDimensions(PassageDimension, ClipDimension), cancellationToken);
        var passages = Passages(set);
        foreach (var batch in passages.Chunk(Batch))
        {
            var vectors = await embedder.EmbedPassagesAsync([.. batch.Select(p => p.Text)], cancellationToken);
            await store.UpsertPassagesAsync([.. batch.Select((p, i) => p with { Vector = vectors[i] })], cancellationToken);
        }
        return passages;
    }

    /// <summary>The questions' query vectors, in order.</summary>
    public static async Task<IReadOnlyList<float[]>> EmbedQuestionsAsync(EmbedderClient embedder, IReadOnlyList<LabelledSet.Question> questions,
        CancellationToken cancellationToken)
    {
        var vectors = new List<float[]>(questions.Count);
        foreach (var batch in questions.Chunk(Batch))
        {
            vectors.AddRange(await embedder.EmbedTextsAsync(EmbeddingModelNames.Passage, TextKind.Query, [.. batch.Select(q => q.Text)], cancellationToken));
        }
        return vectors;
    }
}
