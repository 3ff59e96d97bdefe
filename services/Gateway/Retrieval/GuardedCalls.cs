using AspireMmRag.VectorStore;
using Grpc.Core;

namespace AspireMmRag.Gateway.Retrieval;

/// <summary>Turns failures of the embedder and the store into the gateway's two outcomes: the caller's fault
/// (<see cref="InvalidQueryException"/>) or a dependency that is down (<see cref="DependencyUnavailableException"/>).
/// Cancellation passes through.</summary>
internal static class GuardedCalls
{
    public const string Embedder = "embedder";
    public const string Store = "vector store";

    public static async Task<T> EmbedAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
        {
            throw new InvalidQueryException($"The embedder refused the input: {ex.Status.Detail}", ex);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled && ex.StatusCode != StatusCode.FailedPrecondition)
        {
            throw new DependencyUnavailableException(Embedder, $"{ex.StatusCode}: {ex.Status.Detail}", ex);
        }
    }

    public static async Task<T> StoreAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ArgumentException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var detail = ex is VectorStoreException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            throw new DependencyUnavailableException(Store, detail, ex);
        }
    }
}
