using System.Globalization;
using System.Threading.RateLimiting;
using AspireMmRag.Embedding;
using AspireMmRag.Gateway.Apis;
using AspireMmRag.Gateway.Images;
using AspireMmRag.Gateway.Retrieval;
using AspireMmRag.Gateway.Telemetry;
using AspireMmRag.Media;
using AspireMmRag.VectorStore;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Scalar.AspNetCore;

namespace AspireMmRag.Gateway.Extensions;

public static class GatewayServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName))
            .Validate(o => o.MaxUploadBytes > 0 && o.AskConcurrencyLimit > 0 && o.AskQueueLimit >= 0 && o.MaxQuestionLength > 0,
                "Gateway: MaxUploadBytes, AskConcurrencyLimit and MaxQuestionLength must be positive, AskQueueLimit not negative.")
            .ValidateOnStart();
        services.AddOptions<RetrievalOptions>().Bind(configuration.GetSection(RetrievalOptions.SectionName))
            .Validate(o => o.ClipWeight >= 0 && o.CaptionWeight >= 0 && o.ClipWeight + o.CaptionWeight > 0,
                "Retrieval: ClipWeight and CaptionWeight must not be negative, and not both 0.")
            .ValidateOnStart();

        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
            context.ProblemDetails.Detail ??= DefaultDetail(context.HttpContext, context.ProblemDetails.Status));
        services.AddExceptionHandler<ProblemMapping>();
        services.AddOpenApi();
        services.AddMemoryCache(cache => cache.SizeLimit = 64 * 1024 * 1024);
        services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit =
            configuration.GetValue($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.MaxUploadBytes)}", new GatewayOptions().MaxUploadBytes) + 64 * 1024);
        services.AddAskRateLimiter(configuration);

        services.AddSingleton<GatewayTelemetry>();
        services.AddSingleton<RequestValidation>();
        services.AddSingleton<ImageRanker>();
        services.AddSingleton<Retriever>();
        services.AddSingleton<ImageSearcher>();
        services.AddSingleton<ImageResizer>();

        builder.AddMediaStore();
        builder.AddEmbedderClient("embedder");
        builder.AddVectorStore(VectorStoreRole.Reader);
        builder.AddLanguageModel();
        builder.AddIngestion();
        return builder;
    }

    /// <summary>Problem responses for every error, the web page (wwwroot, <c>/</c> is index.html), the ask rate limiter, and the
    /// OpenAPI document (Scalar in Development).</summary>
    public static WebApplication UseGatewayPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            // The page's modules are not fingerprinted: revalidate them (ETag) so a new gateway serves its new page at once.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.UseRateLimiter();
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
        return app;
    }

    /// <summary>A detail for problems the framework writes itself (no route, wrong method, a body type the endpoint does not take).</summary>
    private static string DefaultDetail(HttpContext context, int? status) => status switch
    {
        StatusCodes.Status404NotFound => $"Nothing is served at {context.Request.Method} {context.Request.Path}.",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Path} does not take {context.Request.Method}.",
        StatusCodes.Status415UnsupportedMediaType => $"{context.Request.Path} does not take a body of type '{context.Request.ContentType}'.",
        _ => ReasonPhrases.GetReasonPhrase(status ?? StatusCodes.Status500InternalServerError),
    };

    /// <summary>At most <see cref="GatewayOptions.AskConcurrencyLimit"/> asks at once and <see cref="GatewayOptions.AskQueueLimit"/>
    /// waiting; beyond that, 429 with <c>Retry-After</c>.</summary>
    private static void AddAskRateLimiter(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddConcurrencyLimiter(AskApi.RateLimiterPolicy, concurrency =>
            {
                concurrency.PermitLimit = limits.AskConcurrencyLimit;
                concurrency.QueueLimit = limits.AskQueueLimit;
                concurrency.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = ProblemMapping.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many questions at once",
                        Detail = $"{limits.AskConcurrencyLimit} questions are being answered and {limits.AskQueueLimit} are waiting; try again in a few seconds.",
                    },
                });
            };
        });
    }
}
