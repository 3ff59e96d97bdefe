using AspireMmRag.Embedder.Apis;
using AspireMmRag.Embedder.Health;
using AspireMmRag.Embedder.Inference;
using AspireMmRag.Embedder.Inference.Clip;
using AspireMmRag.Embedder.Models;
using AspireMmRag.Embedder.Options;
using AspireMmRag.Embedder.Telemetry;

namespace AspireMmRag.Embedder.Extensions;

public static class EmbedderServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<ModelsOptions>().Bind(configuration.GetSection(ModelsOptions.SectionName));
        services.AddOptions<InferenceOptions>().Bind(configuration.GetSection(InferenceOptions.SectionName));
        services.AddOptions<BatchingOptions>().Bind(configuration.GetSection(BatchingOptions.SectionName))
            .Validate(o => o.MaxBatchSize >= 1 && o.QueueCapacity >= o.MaxBatchSize && o.MaxWait >= TimeSpan.Zero,
                "Batching: MaxBatchSize >= 1, QueueCapacity >= MaxBatchSize and MaxWait >= 0 are required.")
            .Validate(o => o.MaxQueuedImageBytes >= ClipImagePreprocessor.TensorLength * sizeof(float),
                "Batching: MaxQueuedImageBytes must hold at least one image tensor (602112 bytes).")
            .ValidateOnStart();
        services.AddOptions<RequestLimitsOptions>().Bind(configuration.GetSection(RequestLimitsOptions.SectionName))
            .Validate(o => o.MaxTextsPerRequest > 0 && o.MaxTextCharacters > 0 && o.MaxImagesPerRequest > 0 && o.MaxImageBytes > 0 && o.MaxImagePixels > 0,
                "Limits must be positive.")
            .ValidateOnStart();

        services.AddHttpContextAccessor(); // EmbedderBinding logs unparsable requests through the request's services
        services.AddSingleton<EmbedderTelemetry>();
        services.AddSingleton<OnnxSessionFactory>();
        services.AddSingleton<EmbeddingModels>();
        services.AddSingleton<ImageDecoder>();
        services.AddSingleton<ReplicaIdentity>();
        services.AddClipModelProvisioning();
        services.AddHostedService<ModelLoader>();

        services.AddHealthChecks().AddCheck<EmbeddingModelsHealthCheck>("models");

        services.AddGrpc(options =>
        {
            options.Interceptors.Add<EmbedderExceptionInterceptor>();
            var limits = configuration.GetSection(RequestLimitsOptions.SectionName).Get<RequestLimitsOptions>() ?? new();
            // One call may carry up to MaxImagesPerRequest images of MaxImageBytes, capped at 256 MB.
            options.MaxReceiveMessageSize = (int)Math.Min(256L * 1024 * 1024, limits.MaxImageBytes * limits.MaxImagesPerRequest + 1024 * 1024);
            options.EnableDetailedErrors = false;
        });
        services.AddGrpcHealthChecks();
        return builder;
    }
}
