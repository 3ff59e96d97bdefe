using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.VectorStore.Embedded;

public static class EmbeddedVectorStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EmbeddedVectorStore"/> as the <see cref="IVectorStore"/> singleton, bound to
    /// <paramref name="section"/> (e.g. <c>VectorStore:Embedded</c>: Directory, Role, ExactScanThreshold, Hnsw:…).
    /// The container disposes it (a last index snapshot for the writer).
    /// </summary>
    public static IServiceCollection AddEmbeddedVectorStore(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddEmbeddedVectorStore(options => section.Bind(options));
    }

    /// <summary>Registers <see cref="EmbeddedVectorStore"/> as the <see cref="IVectorStore"/> singleton, configured in code.</summary>
    public static IServiceCollection AddEmbeddedVectorStore(this IServiceCollection services, Action<EmbeddedVectorStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<EmbeddedVectorStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddedVectorStoreOptions>, EmbeddedVectorStoreOptionsValidator>());
        services.TryAddSingleton(provider => new EmbeddedVectorStore(
            provider.GetRequiredService<IOptions<EmbeddedVectorStoreOptions>>().Value,
            provider.GetService<ILogger<EmbeddedVectorStore>>()));
        services.TryAddSingleton<IVectorStore>(provider => provider.GetRequiredService<EmbeddedVectorStore>());
        return services;
    }
}
