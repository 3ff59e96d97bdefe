using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace AspireMmRag.VectorStore.Milvus;

public static class MilvusServiceCollectionExtensions
{
    /// <summary>The retries after a first attempt that failed transiently (see <see cref="AddMilvusVectorStore"/>).</summary>
    public const int MaxRetryAttempts = 2;

    /// <summary>The delay before the first retry (then doubled, with jitter).</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Registers <see cref="MilvusVectorStore"/> as a typed HttpClient and as <see cref="IVectorStore"/>, with
    /// <see cref="MilvusOptions"/> bound from <paramref name="configuration"/> (e.g. <c>builder.Configuration.GetSection("Milvus")</c>)
    /// and validated at start-up. Service discovery from ServiceDefaults applies; its standard resilience handler (whose
    /// 10 s attempt timeout would cut off slower calls) is replaced by this client's own policy:
    /// <list type="bullet">
    /// <item>Timeout: <see cref="MilvusOptions.RequestTimeout"/> bounds each call, retries included (the store's own per-call
    /// timeout; <see cref="HttpClient.Timeout"/> is off).</item>
    /// <item>Retries: up to <see cref="MaxRetryAttempts"/> more attempts, <see cref="RetryDelay"/> doubled each time with
    /// jitter, for a failure to connect or send (<see cref="HttpRequestException"/>), HTTP 408, 429 or 5xx, on every call but
    /// <c>collections/create</c> (not idempotent). Every other call is a read or an idempotent write (upserts by id, deletes by
    /// filter).</item>
    /// </list>
    /// </summary>
    public static IServiceCollection AddMilvusVectorStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<MilvusOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MilvusOptions>, MilvusOptionsValidator>());
        services.TryAddSingleton<MilvusSchemaCache>();
        // RemoveAllResilienceHandlers (experimental in Microsoft.Extensions.Http.Resilience 10.11) takes off the standard
        // handler that ServiceDefaults' ConfigureHttpClientDefaults adds to every client.
#pragma warning disable EXTEXP0001
        services.AddHttpClient<MilvusVectorStore>((provider, client) =>
            {
                client.BaseAddress = provider.GetRequiredService<IOptions<MilvusOptions>>().Value.Endpoint;
                // Each call has its own timeout (MilvusOptions.RequestTimeout) and maps it to MilvusRequestException.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RemoveAllResilienceHandlers()
            .AddResilienceHandler("milvus", static pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = MaxRetryAttempts,
                Delay = RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = static args => ValueTask.FromResult(
                    IsRetryable(args.Context.GetRequestMessage()) && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
            }));
#pragma warning restore EXTEXP0001
        services.AddTransient<IVectorStore>(provider => provider.GetRequiredService<MilvusVectorStore>());
        return services;
    }

    private static bool IsRetryable(HttpRequestMessage? request) =>
        request?.RequestUri is { } uri && !uri.AbsolutePath.EndsWith("/collections/create", StringComparison.Ordinal);
}
