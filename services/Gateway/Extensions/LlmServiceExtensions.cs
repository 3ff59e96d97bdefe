using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Answering.LlamaSharp;
using AspireMmRag.Gateway.Answering.Ollama;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using OllamaSharp;
using Polly;

namespace AspireMmRag.Gateway.Extensions;

/// <summary>Registers the answer side: <see cref="LlmOptions"/> (section <c>Llm</c>), the <see cref="IChatClient"/> of the
/// configured provider (none for <c>Llm:Provider=None</c>), <see cref="ILanguageModelStatus"/>, the <c>llm</c> health entry
/// and <see cref="IAnswerGenerator"/>.</summary>
public static class LlmServiceExtensions
{
    /// <summary>The HttpClient that talks to Ollama: long timeouts, no retries of POSTs.</summary>
    public const string HttpClientName = "llm";

    /// <summary>The HttpClient of the status probe: no resilience handler, a short timeout.</summary>
    public const string StatusHttpClientName = "llm-status";

    public const string HealthCheckName = "llm";

    /// <summary>The provider is read from configuration here (at registration); its other settings are bound and validated at start.</summary>
    public static TBuilder AddLanguageModel<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LlmOptions>, LlmOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AnswerTelemetry>();
        services.AddHealthChecks().AddCheck<LanguageModelHealthCheck>(HealthCheckName);

        switch (ConfiguredProvider(builder.Configuration))
        {
            case LlmProvider.Ollama:
                AddOllama(services);
                break;
            case LlmProvider.LlamaSharp:
                AddLlamaSharp(services);
                break;
            default:
                services.TryAddSingleton<ILanguageModelStatus, NoLanguageModelStatus>();
                break;
        }

        services.TryAddSingleton<IAnswerGenerator, AnswerGenerator>();
        return builder;
    }

    /// <summary><c>Llm:Provider</c> (case-insensitive); a value that does not parse is left to the options binding to report.</summary>
    private static LlmProvider ConfiguredProvider(IConfiguration configuration) =>
        Enum.TryParse<LlmProvider>(configuration[$"{LlmOptions.SectionName}:{nameof(LlmOptions.Provider)}"], ignoreCase: true, out var provider)
            ? provider
            : LlmProvider.None;

    // RemoveAllResilienceHandlers (experimental in Microsoft.Extensions.Http.Resilience 10.11) takes the standard handler
    // that ConfigureHttpClientDefaults adds to every client off these two clients.
#pragma warning disable EXTEXP0001
    private static void AddOllama(IServiceCollection services)
    {
        // The response of a streaming chat starts with the first token, so the attempt timeout covers the model's load and
        // prompt; the body is read afterwards without a timeout. HttpClient.Timeout is off: these strategies set the limits.
        services.AddHttpClient(HttpClientName, (provider, http) =>
            {
                http.BaseAddress = provider.GetRequiredService<IOptions<LlmOptions>>().Value.EndpointUri;
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RemoveAllResilienceHandlers()
            .AddResilienceHandler("llm", static (pipeline, context) =>
            {
                var settings = context.ServiceProvider.GetRequiredService<IOptions<LlmOptions>>().Value;
                pipeline
                    .AddTimeout(settings.TotalTimeout)
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = 2,
                        Delay = TimeSpan.FromSeconds(1),
                        ShouldHandle = static args => ValueTask.FromResult(
                            IsIdempotent(args.Context.GetRequestMessage()) && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                    })
                    .AddTimeout(settings.AttemptTimeout);
            });

        services.AddHttpClient(StatusHttpClientName, (provider, http) =>
            {
                var settings = provider.GetRequiredService<IOptions<LlmOptions>>().Value;
                http.BaseAddress = settings.EndpointUri;
                http.Timeout = settings.StatusTimeout + TimeSpan.FromSeconds(1);
            })
            .RemoveAllResilienceHandlers();

        services.TryAddSingleton<ILanguageModelStatus, OllamaModelStatus>();
        services.AddChatClient(provider =>
            {
                var settings = provider.GetRequiredService<IOptions<LlmOptions>>().Value;
                var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
                IChatClient ollama = new OllamaApiClient(http, settings.Model);
                return new OllamaStreamGuard(ollama);
            })
            .UseOpenTelemetry()
            .UseLogging();
    }
#pragma warning restore EXTEXP0001

    private static void AddLlamaSharp(IServiceCollection services)
    {
        services.TryAddSingleton<LlamaSharpModel>();
        services.AddHostedService<LlamaSharpWarmup>();
        services.TryAddSingleton<ILanguageModelStatus, LlamaSharpModelStatus>();
        services.AddChatClient(provider => new LlamaSharpChatClient(provider.GetRequiredService<LlamaSharpModel>()))
            .UseOpenTelemetry()
            .UseLogging();
    }

    private static bool IsIdempotent(HttpRequestMessage? request) =>
        request is not null && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head);
}
