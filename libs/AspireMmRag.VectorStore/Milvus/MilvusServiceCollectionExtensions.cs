using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AspireMmRag.VectorStore.Milvus;

public static class MilvusServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MilvusVectorStore"/> as a typed HttpClient and as <see cref="IVectorStore"/>, with
    /// <see cref="MilvusOptions"/> bound from <paramref name="configuration"/> (e.g. <c>builder.Configuration.GetSection("Milvus")</c>)
    /// and validated at start-up. HttpClient defaults (ServiceDefaults' resilience handler and service discovery) apply;
    /// the per-call timeout is <see cref="MilvusOptions.RequestTimeout"/>.
    /// </summary>
    public static IServiceCollection AddMilvusVectorStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<MilvusOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MilvusOptions>, MilvusOptionsValidator>());
        services.TryAddSingleton<MilvusSchemaCache>();
        services.AddHttpClient<MilvusVectorStore>((provider, client) =>
        {
            client.BaseAddress = provider.GetRequiredService<IOptions<MilvusOptions>>().Value.Endpoint;
            // Each call has its own timeout (MilvusOptions.RequestTimeout) and maps it to MilvusRequestException.
            client.Timeout = Timeout.InfiniteTimeSpan;
        });
        services.AddTransient<IVectorStore>(provider => provider.GetRequiredService<MilvusVectorStore>());
        return services;
    }
}
