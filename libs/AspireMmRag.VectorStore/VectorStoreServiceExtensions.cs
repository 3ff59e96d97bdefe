using AspireMmRag.VectorStore.Embedded;
using AspireMmRag.VectorStore.Milvus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AspireMmRag.VectorStore;

public static class VectorStoreServiceExtensions
{
    public const string SectionName = "VectorStore";

    /// <summary>
    /// Registers the <see cref="IVectorStore"/> chosen by <c>VectorStore:Provider</c>: <c>Milvus</c> (settings under
    /// <c>VectorStore:Milvus</c>) or <c>Embedded</c> (settings under <c>VectorStore:Embedded</c>; the default, for machines
    /// without Docker). <paramref name="role"/> says whether this process writes (the indexer) or only reads (the gateway).
    /// </summary>
    public static IServiceCollection AddVectorStore(this IServiceCollection services, IConfiguration configuration, VectorStoreRole role)
    {
        var section = configuration.GetSection(SectionName);
        var provider = section["Provider"] is { Length: > 0 } value ? value : "Embedded";
        if (string.Equals(provider, "Milvus", StringComparison.OrdinalIgnoreCase))
        {
            return services.AddMilvusVectorStore(section.GetSection("Milvus"));
        }
        if (string.Equals(provider, "Embedded", StringComparison.OrdinalIgnoreCase))
        {
            var embedded = section.GetSection("Embedded");
            return services.AddEmbeddedVectorStore(options =>
            {
                embedded.Bind(options);
                options.Role = role == VectorStoreRole.Writer ? EmbeddedVectorStoreRole.Writer : EmbeddedVectorStoreRole.Reader;
            });
        }
        throw new InvalidOperationException($"VectorStore:Provider '{provider}' is not one of Embedded, Milvus.");
    }

    public static IHostApplicationBuilder AddVectorStore(this IHostApplicationBuilder builder, VectorStoreRole role)
    {
        builder.Services.AddVectorStore(builder.Configuration, role);
        return builder;
    }
}
