using AspireMmRag.Gateway.Retrieval;
using Grpc.Core;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace AspireMmRag.Gateway.Apis;

/// <summary>Maps exceptions to <c>application/problem+json</c> responses: the caller's mistakes to 4xx, a dependency that is
/// down to 503 with <c>Retry-After</c>, anything else to 500 without internals.</summary>
public sealed partial class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            return true; // the client left: nobody reads a response
        }
        var problem = For(exception, context);
        if (problem.Status >= 500)
        {
            LogFailed(logger, exception, context.Request.Path, problem.Status ?? 500);
        }
        context.Response.StatusCode = problem.Status ?? 500;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>The problem of a failure after a stream has started (sent as its <c>error</c> event).</summary>
    public static ProblemDetails ForStream(Exception exception, HttpContext context) => For(exception, context);

    private static ProblemDetails For(Exception exception, HttpContext context)
    {
        var (status, title, detail) = exception switch
        {
            UnknownDocumentsException ex => (StatusCodes.Status400BadRequest, "Unknown documents", ex.Message),
            InvalidQueryException ex => (StatusCodes.Status400BadRequest, "Invalid query", ex.Message),
            BadHttpRequestException ex => (ex.StatusCode, "Invalid request", BadRequestDetail(ex)),
            DependencyUnavailableException ex => (StatusCodes.Status503ServiceUnavailable, "Service unavailable", ex.Message),
            RpcException ex => (StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"The embedder failed: {ex.StatusCode}: {ex.Status.Detail}"),
            _ => (StatusCodes.Status500InternalServerError, "Internal error", "The request failed; the gateway's log has the details."),
        };
        return new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Instance = context.Request.Path,
        };
    }

    private static string BadRequestDetail(BadHttpRequestException exception) =>
        exception.InnerException is System.Text.Json.JsonException json
            ? $"{exception.Message} {json.Message}"
            : exception.Message;

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Path} failed with {Status}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string path, int status);
}
