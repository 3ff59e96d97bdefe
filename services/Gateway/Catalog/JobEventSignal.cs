using System.Collections.Concurrent;

namespace AspireMmRag.Gateway.Catalog;

/// <summary>Wakes the event streams of a job in this process when new events of it are saved. A stream takes
/// <see cref="Next"/> before it reads the catalog, so a save between its read and its wait is not missed; streams also re-read
/// the catalog after a timeout, so events saved by another process reach them too, only later.</summary>
public sealed class JobEventSignal
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiters = new();

    /// <summary>A task that completes at the next <see cref="Notify"/> for <paramref name="jobId"/>.</summary>
    public Task Next(Guid jobId) =>
        _waiters.GetOrAdd(jobId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(Guid jobId)
    {
        if (_waiters.TryRemove(jobId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }
}
