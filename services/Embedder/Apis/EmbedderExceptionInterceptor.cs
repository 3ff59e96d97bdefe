using AspireMmRag.Embedder.Batching;
using AspireMmRag.Embedder.Inference;
using AspireMmRag.Embedder.Models;
using AspireMmRag.Embedder.Telemetry;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace AspireMmRag.Embedder.Apis;

/// <summary>Maps the embedder's exceptions to gRPC status codes in one place.</summary>
public sealed partial class EmbedderExceptionInterceptor(EmbedderTelemetry telemetry, ILogger<EmbedderExceptionInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (InvalidInputException ex)
        {
            throw Reject(context, StatusCode.InvalidArgument, ex.Message);
        }
        catch (QueueFullException ex)
        {
            throw Reject(context, StatusCode.ResourceExhausted, ex.Message);
        }
        catch (ModelUnavailableException ex)
        {
            throw Reject(context, ex.IsLoading ? StatusCode.Unavailable : StatusCode.FailedPrecondition, ex.Message);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
        }
        catch (ObjectDisposedException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The embedder is shutting down."));
        }
    }

    private RpcException Reject(ServerCallContext context, StatusCode code, string message)
    {
        telemetry.Rejected.Add(1, new KeyValuePair<string, object?>("code", code.ToString()));
        LogRejected(logger, context.Method, code, message);
        return new RpcException(new Status(code, message));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} refused with {Code}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string method, StatusCode code, string reason);
}
