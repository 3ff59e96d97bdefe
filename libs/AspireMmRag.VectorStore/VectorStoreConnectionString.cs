using System.Data.Common;
using Microsoft.Extensions.Configuration;

namespace AspireMmRag.VectorStore;

/// <summary>
/// The Aspire connection string of the vector store, <c>ConnectionStrings:vectors</c>: <c>Provider=Embedded;Directory=/path</c>
/// or <c>Provider=Milvus;Endpoint=http://host:19530[;Token=user:password][;Database=name]</c>. Its values take precedence over
/// the same settings in the <c>VectorStore</c> section (<c>Provider</c>, <c>Embedded:Directory</c>, <c>Milvus:Endpoint</c>...).
/// </summary>
public static class VectorStoreConnectionString
{
    public const string ConnectionName = "vectors";

    private static readonly Dictionary<string, string> Keys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Provider"] = "Provider",
        ["Directory"] = "Embedded:Directory",
        ["Endpoint"] = "Milvus:Endpoint",
        ["Token"] = "Milvus:Token",
        ["Database"] = "Milvus:Database",
    };

    /// <summary>The <c>VectorStore</c> section with the connection string's values laid over it.</summary>
    public static IConfiguration Apply(IConfigurationSection section, string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return section;
        }
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var overrides = new Dictionary<string, string?>();
        foreach (string key in parts.Keys)
        {
            if (!Keys.TryGetValue(key, out var setting))
            {
                throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} has an unknown key '{key}' (known: {string.Join(", ", Keys.Keys)}).");
            }
            overrides[setting] = parts[key]?.ToString();
        }
        return new ConfigurationBuilder().AddConfiguration(section).AddInMemoryCollection(overrides).Build();
    }
}
