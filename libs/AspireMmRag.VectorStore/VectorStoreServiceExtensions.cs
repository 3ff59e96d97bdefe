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
    /// Registers the <see cref="IVectorStore"/> chosen by <c>VectorStore:Provider</c> (or the <c>Provider</c> of
    /// <c>ConnectionStrings:vectors</c>, see <see cref="VectorStoreConnectionString"/>): <c>Milvus</c> (settings under
    /// <c>VectorStore:Milvus</c>) or <c>Embedded</c> (settings under <c>VectorStore:Embedded</c>; the default, for machines
    /// without Docker). <paramref name="role"/> says whether this process writes (the indexer) or only reads (the gateway).
    /// An embedded <see cref="VectorStoreRole.Writer"/> also gets <see cref="EmbeddedWriterStartup"/> as the first hosted
    /// service (it takes the directory's writer lock when the host starts, failing start-up when another process holds it)
    /// and the <c>vector-store-writer</c> readiness check (healthy while the lock is held).
    /// </summary>
    public static IServiceCollection AddVectorStore(this IServiceCollection services, IConfiguration configuration, VectorStoreRole role)
    {
        var section = VectorStoreConnectionString.Apply(configuration.GetSection(SectionName),
            configuration.GetConnectionString(VectorStoreConnectionString.ConnectionName));
        var provider = section["Provider"] is { Length: > 0 } value ? value : "Embedded";
        if (string.Equals(provider, "Milvus", StringComparison.OrdinalIgnoreCase))
        {
            services.AddMilvusVectorStore(section.GetSection("Milvus"));
            return services.TraceVectorStore("milvus");
        }
        if (string.Equals(provider, "Embedded", StringComparison.OrdinalIgnoreCase))
        {
            var embedded = section.GetSection("Embedded");
            services.AddEmbeddedVectorStore(options =>
            {
                embedded.Bind(options);
                options.Role = role;
            });
            if (role == VectorStoreRole.Writer)
            {
                services.AddEmbeddedWriterStartup();
            }
            return services.TraceVectorStore("embedded");
        }
        throw new InvalidOperationException($"VectorStore:Provider '{provider}' is not one of Embedded, Milvus.");
    }

    /// <summary>Registers <see cref="EmbeddedWriterStartup"/> ahead of every hosted service registered so far or later (hosted
    /// services start in registration order, so the message bus starts only once the lock is taken, whichever was added
    /// first), and the writer's readiness check.</summary>
    private static void AddEmbeddedWriterStartup(this IServiceCollection services)
    {
        if (services.Any(descriptor => descriptor.ServiceType == typeof(IHostedService) && descriptor.ImplementationType == typeof(EmbeddedWriterStartup)))
        {
            return;
        }
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, EmbeddedWriterStartup>());
        services.AddHealthChecks().AddCheck<EmbeddedWriterHealthCheck>(EmbeddedWriterHealthCheck.Name, tags: ["ready"]);
    }

    /// <summary>Wraps the registered <see cref="IVectorStore"/> in <see cref="TracingVectorStore"/>, keeping its lifetime.</summary>
    private static IServiceCollection TraceVectorStore(this IServiceCollection services, string system)
    {
        var registered = services.Last(descriptor => descriptor.ServiceType == typeof(IVectorStore));
        services.Remove(registered);
        services.Add(new ServiceDescriptor(typeof(IVectorStore),
            provider => new TracingVectorStore(Resolve(registered, provider), system), registered.Lifetime));
        return services;
    }

    private static IVectorStore Resolve(ServiceDescriptor descriptor, IServiceProvider provider) => descriptor switch
    {
        { ImplementationInstance: IVectorStore instance } => instance,
        { ImplementationFactory: { } factory } => (IVectorStore)factory(provider),
        { ImplementationType: { } type } => (IVectorStore)ActivatorUtilities.CreateInstance(provider, type),
        _ => throw new InvalidOperationException("The vector store registration cannot be resolved."),
    };

    public static IHostApplicationBuilder AddVectorStore(this IHostApplicationBuilder builder, VectorStoreRole role)
    {
        builder.Services.AddVectorStore(builder.Configuration, role);
        return builder;
    }
}
