using System.Security.Cryptography;
using System.Text;
using AspireMmRag.Indexer.Chunking;
using AspireMmRag.Indexer.Consumers;
using AspireMmRag.VectorStore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>What keeps the index exact: the passage tokenizer, the indexing version, the document state and the
/// per-document partitioner.</summary>
public static class IndexingConsistencyExtensions
{
    public const string StateFileName = "indexer-state.db";

    public static IHostApplicationBuilder AddIndexingConsistency(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => PassageTokenizer.For(provider.GetRequiredService<IOptions<ChunkingOptions>>().Value));
        services.AddSingleton<IndexingVersions>();
        services.AddSingleton<DocumentPartitioner>();
        services.AddSingleton(provider => new DocumentStateStore(
            StateFile(provider.GetRequiredService<IOptions<IndexingOptions>>().Value, configuration)));
        return builder;
    }

    /// <summary><see cref="IndexingOptions.StateFile"/>, or its default next to the vectors it describes.</summary>
    public static string StateFile(IndexingOptions options, IConfiguration configuration)
    {
        if (options.StateFile.Length > 0)
        {
            return Path.GetFullPath(options.StateFile);
        }
        var store = VectorStoreConnectionString.Apply(configuration.GetSection("VectorStore"),
            configuration.GetConnectionString(VectorStoreConnectionString.ConnectionName));
        if (string.Equals(store["Provider"], "Milvus", StringComparison.OrdinalIgnoreCase))
        {
            var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{store["Milvus:Endpoint"]}\n{store["Milvus:Database"]}")))[..12];
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                "AspireMmRag", $"indexer-state-{name}.db");
        }
        return store["Embedded:Directory"] is { Length: > 0 } directory
            ? Path.Combine(Path.GetFullPath(directory), StateFileName)
            : throw new InvalidOperationException("Indexing:StateFile is not set and the embedded vector store has no directory.");
    }
}
