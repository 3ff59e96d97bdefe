using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Retrieval;
using AspireMmRag.Gateway.Telemetry;
using Microsoft.AspNetCore.Mvc;

namespace AspireMmRag.Gateway.Apis;

/// <summary><c>POST /api/ask</c>: retrieval, then an answer from the language model (or extracted from the sources), as one
/// JSON response or, with <c>Accept: text/event-stream</c>, as Server-Sent Events.</summary>
public static class AskApi
{
    public const string RateLimiterPolicy = "ask";

    public static IEndpointRouteBuilder MapAskApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/ask", AskAsync)
            .RequireApiKey(ApiAccess.Read)
            .WithName("Ask")
            .WithTags("Ask")
            .WithSummary("Answer a question from the indexed documents, with citations and images")
            .Accepts<AskRequest>("application/json")
            .Produces<AskResponse>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireRateLimiting(RateLimiterPolicy);
        return app;
    }

    private static async Task<IResult> AskAsync(
        AskRequest? request, HttpContext context, RequestValidation validation, Retriever retriever, IAnswerGenerator answers,
        GatewayTelemetry telemetry)
    {
        var (query, history, errors) = validation.Ask(request);
        if (query is null)
        {
            return TypedResults.ValidationProblem(errors, detail: ValidationDetail(errors));
        }

        var started = Stopwatch.GetTimestamp();
        var cancellationToken = context.RequestAborted;
        var retrieval = await retriever.RetrieveAsync(query, cancellationToken);
        var input = new AnswerInput(query.Text, history, retrieval.Passages, retrieval.Images);
        var stream = AcceptsEventStream(context.Request);

        if (stream)
        {
            return TypedResults.ServerSentEvents(StreamAsync(input, retrieval, started, answers, telemetry, context, cancellationToken));
        }

        var answer = new AnswerText();
        DoneEvent? done = null;
        await foreach (var update in answers.GenerateAsync(input, cancellationToken))
        {
            switch (update)
            {
                case AnswerDelta delta:
                    answer.Append(delta.Text, started);
                    break;
                case AnswerCompleted completed:
                    done = Done(completed, retrieval, answer, started, telemetry);
                    break;
            }
        }
        if (done is null)
        {
            throw new InvalidOperationException("The answer generator ended without a result.");
        }
        return TypedResults.Ok(new AskResponse
        {
            Answer = done.Answer,
            Mode = done.Mode,
            Model = done.Model,
            Citations = retrieval.Passages,
            Images = retrieval.Images,
            UsedCitations = done.UsedCitations,
            UsedImageIds = done.UsedImageIds,
            Warnings = done.Warnings,
            Timings = done.Timings,
        });
    }

    private static async IAsyncEnumerable<SseItem<object>> StreamAsync(
        AnswerInput input, RetrievalResult retrieval, long started, IAnswerGenerator answers, GatewayTelemetry telemetry,
        HttpContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new SseItem<object>(new SourcesEvent(retrieval.Passages, retrieval.Images, retrieval.Warnings), AskEventTypes.Sources);

        var answer = new AnswerText();
        await using var updates = answers.GenerateAsync(input, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ProblemDetails? failure = null;
            try
            {
                if (!await updates.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failure = ProblemMapping.ForStream(ex, context);
            }
            if (failure is not null)
            {
                yield return new SseItem<object>(failure, AskEventTypes.Error);
                yield break;
            }

            switch (updates.Current)
            {
                case AnswerDelta delta:
                    answer.Append(delta.Text, started);
                    yield return new SseItem<object>(new DeltaEvent(delta.Text), AskEventTypes.Delta);
                    break;
                case AnswerCompleted completed:
                    yield return new SseItem<object>(Done(completed, retrieval, answer, started, telemetry), AskEventTypes.Done);
                    yield break;
            }
        }
    }

    /// <summary>The finished answer with the retrieval's warnings and the timings; records the ask's duration.</summary>
    private static DoneEvent Done(AnswerCompleted completed, RetrievalResult retrieval, AnswerText answer, long started, GatewayTelemetry telemetry)
    {
        var timings = Timings(retrieval, answer.FirstTokenMs, started);
        telemetry.AskDuration.Record(timings.TotalMs, new KeyValuePair<string, object?>("mode", completed.Mode));
        return new DoneEvent
        {
            Answer = completed.Answer,
            Mode = completed.Mode,
            Model = completed.Model,
            UsedCitations = completed.UsedCitations,
            UsedImageIds = completed.UsedImageIds,
            Warnings = [.. retrieval.Warnings, .. completed.Warnings],
            Timings = timings,
        };
    }

    private static AskTimings Timings(RetrievalResult retrieval, double? firstTokenMs, long started) =>
        new(retrieval.EmbedMs, retrieval.SearchMs, firstTokenMs, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1),
            retrieval.DenseSearchMs, retrieval.TextSearchMs);

    private static bool AcceptsEventStream(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(value => value.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));

    public static string ValidationDetail(Dictionary<string, string[]> errors) =>
        string.Join(" ", errors.Select(error => $"{error.Key}: {string.Join(" ", error.Value)}"));

    /// <summary>The answer text so far and when its first piece arrived.</summary>
    private sealed class AnswerText
    {
        public double? FirstTokenMs { get; private set; }

        public void Append(string text, long started)
        {
            if (FirstTokenMs is null && text.Length > 0)
            {
                FirstTokenMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
            }
        }
    }
}
