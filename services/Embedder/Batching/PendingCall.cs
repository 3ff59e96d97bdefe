using System.Diagnostics;

namespace AspireMmRag.Embedder.Batching;

/// <summary>One caller's request in a <see cref="MicroBatcher{TInput, TOutput}"/>: completes when all its items are embedded,
/// or fails/cancels as a whole (the first outcome wins).</summary>
internal sealed class PendingCall<TOutput>
{
    private readonly TaskCompletionSource<TOutput[]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TOutput[] _results;
    private readonly CancellationTokenRegistration _registration;
    private int _remaining;

    public PendingCall(int count, CancellationToken cancellationToken, ActivityContext traceContext)
    {
        _results = new TOutput[count];
        _remaining = count;
        TraceContext = traceContext;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.Register(() => _completion.TrySetCanceled(cancellationToken));
        }
    }

    public Task<TOutput[]> Task => _completion.Task;
    public ActivityContext TraceContext { get; }
    public bool IsOpen => !_completion.Task.IsCompleted;

    public void Complete(int index, TOutput result)
    {
        _results[index] = result;
        if (Interlocked.Decrement(ref _remaining) == 0 && _completion.TrySetResult(_results))
        {
            _registration.Dispose();
        }
    }

    public void Fail(Exception exception)
    {
        if (_completion.TrySetException(exception))
        {
            _registration.Dispose();
        }
    }
}
