using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AspireMmRag.Embedding;

public static class EmbedderClientExtensions
{
    /// <summary>Registers <see cref="EmbedderClient"/> for the embedder named <paramref name="serviceName"/> in the AppHost.
    /// Settings come from the <c>EmbedderClient</c> section; service discovery must be registered (ServiceDefaults does it).</summary>
    public static IHostApplicationBuilder AddEmbedderClient(this IHostApplicationBuilder builder, string serviceName = "embedder")
    {
        builder.Services.AddServiceDiscovery(); // idempotent: configuration + pass-through providers
        builder.Services.AddOptions<EmbedderClientOptions>()
            .Configure(options => options.Address = new Uri($"http://{serviceName}"))
            .Bind(builder.Configuration.GetSection(EmbedderClientOptions.SectionName))
            .Validate(options => options.Address.Scheme is "http" or "https", "EmbedderClient:Address must be an http:// or https:// URL.")
            .Validate(options => options.ConnectionsPerEndpoint >= 1 && options.MaxAttempts >= 1, "EmbedderClient: ConnectionsPerEndpoint and MaxAttempts must be at least 1.");
        builder.Services.AddSingleton<EmbedderChannelPool>();
        builder.Services.AddSingleton<EmbedderClient>();
        return builder;
    }
}
