using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AspireMmRag.Gateway.Catalog;
using AspireMmRag.Gateway.Extensions;
using AspireMmRag.Gateway.Ingestion;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Messaging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Apis;

/// <summary><c>POST /api/ingest</c> (a job: Wikipedia pages or a folder, crawled and indexed in the background),
/// <c>GET /api/ingest/{jobId}</c> (its state) and <c>GET /api/ingest/{jobId}/events</c> (its progress as Server-Sent Events,
/// resumable with <c>Last-Event-ID</c>).</summary>
public static class IngestApi
{
    private const int EventBatch = 200;

    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/ingest").WithTags("Ingest");
        if (app.ServiceProvider.GetRequiredService<IngestionAvailability>() is { IsAvailable: false } unavailable)
        {
            group.MapUnavailable(unavailable.Reason);
            return app;
        }
        group.MapPost("/", IngestAsync)
            .RequireApiKey(ApiAccess.Write)
            .WithName("Ingest")
            .WithSummary("Crawl and index Wikipedia pages or a folder; answers at once with the job's id")
            .Produces<IngestAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{jobId:guid}", GetJobAsync)
            .RequireApiKey(ApiAccess.Read)
            .WithName("GetIngestJob")
            .WithSummary("An ingest job: its state and each document's progress")
            .Produces<IngestJobView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{jobId:guid}/events", EventsAsync)
            .RequireApiKey(ApiAccess.Read)
            .WithName("GetIngestJobEvents")
            .WithSummary("The job's progress as Server-Sent Events, from the start or after Last-Event-ID, until job-done")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> IngestAsync(IngestRequest? request, IngestRequestParser parser, JobCatalog jobs,
        CommandPublisher publisher, CancellationToken cancellationToken)
    {
        CrawlRequested crawl;
        try
        {
            crawl = parser.Parse(request, Guid.NewGuid());
        }
        catch (InvalidIngestRequestException ex)
        {
            return SearchApi.Problem(StatusCodes.Status400BadRequest, "Invalid ingest request", ex.Message);
        }

        await jobs.CreateAsync(crawl, cancellationToken);
        try
        {
            await publisher.PublishAsync(crawl, "crawler", cancellationToken);
        }
        catch
        {
            await jobs.AbandonAsync(crawl.RequestId, CancellationToken.None);
            throw;
        }
        return TypedResults.Accepted($"/api/ingest/{crawl.RequestId}", new IngestAccepted(crawl.RequestId));
    }

    private static async Task<IResult> GetJobAsync(Guid jobId, JobCatalog jobs, CancellationToken cancellationToken) =>
        await jobs.GetAsync(jobId, cancellationToken) is { } job
            ? TypedResults.Ok(job)
            : UnknownJob(jobId);

    private static async Task<IResult> EventsAsync(Guid jobId, HttpContext context, JobCatalog jobs, JobEventSignal signal,
        IOptions<IngestionOptions> options, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        if (!await jobs.ExistsAsync(jobId, cancellationToken))
        {
            return UnknownJob(jobId);
        }
        var after = long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var last) ? last : 0;
        // The stream also ends when the gateway starts to stop: an open stream would hold the shutdown (and the message bus's
        // orderly stop behind it) until its timeout; the client reconnects with Last-Event-ID and misses nothing.
        var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(stopping);
        return TypedResults.ServerSentEvents(StreamAsync(jobId, after, jobs, signal, options.Value.EventPollInterval, stopping.Token));
    }

    /// <summary>The job's stored events after <paramref name="after"/>, then each new one as it is saved, until <c>job-done</c>.</summary>
    private static async IAsyncEnumerable<SseItem<JsonElement>> StreamAsync(Guid jobId, long after, JobCatalog jobs, JobEventSignal signal,
        TimeSpan pollInterval, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var next = signal.Next(jobId);
            var events = await jobs.EventsAfterAsync(jobId, after, EventBatch, cancellationToken);
            foreach (var jobEvent in events)
            {
                after = jobEvent.Sequence;
                yield return new SseItem<JsonElement>(JsonSerializer.Deserialize<JsonElement>(jobEvent.Data), jobEvent.Type)
                {
                    EventId = jobEvent.Sequence.ToString(CultureInfo.InvariantCulture),
                };
                if (jobEvent.Type == JobEventTypes.JobDone)
                {
                    yield break;
                }
            }
            if (events.Count < EventBatch)
            {
                try
                {
                    await next.WaitAsync(pollInterval, cancellationToken);
                }
                catch (TimeoutException)
                {
                }
                catch (OperationCanceledException)
                {
                    yield break; // the client left or the gateway is stopping: end the stream, the client resumes with Last-Event-ID
                }
            }
        }
    }

    private static IResult UnknownJob(Guid jobId) =>
        SearchApi.Problem(StatusCodes.Status404NotFound, "Unknown job", $"There is no ingest job {jobId}.");

    /// <summary>Every route of <paramref name="group"/> answers 503 with <paramref name="reason"/>.</summary>
    internal static void MapUnavailable(this RouteGroupBuilder group, string reason)
    {
        group.Map("/{**rest}", () => SearchApi.Problem(StatusCodes.Status503ServiceUnavailable, "Ingestion unavailable", reason))
            .ExcludeFromDescription();
    }
}
