using System.Collections.Concurrent;
using AspireMmRag.Messaging;
using MassTransit;

namespace AspireMmRag.Ingestion.Tests.Infrastructure;

/// <summary>Collects the indexer's events from the broker so tests can wait for them.</summary>
public sealed class EventCollector :
    IConsumer<DocumentIndexed>, IConsumer<ImageIndexingFailed>, IConsumer<DocumentRemoved>, IConsumer<DocumentIndexingProgress>
{
    private readonly ConcurrentQueue<object> _events = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public IReadOnlyList<T> All<T>() => _events.OfType<T>().ToArray();

    public Task Consume(ConsumeContext<DocumentIndexed> context) => Add(context.Message);
    public Task Consume(ConsumeContext<ImageIndexingFailed> context) => Add(context.Message);
    public Task Consume(ConsumeContext<DocumentRemoved> context) => Add(context.Message);
    public Task Consume(ConsumeContext<DocumentIndexingProgress> context) => Add(context.Message);

    private Task Add(object message)
    {
        _events.Enqueue(message);
        _arrived.Release();
        return Task.CompletedTask;
    }

    /// <summary>Waits until <paramref name="count"/> events of type T match <paramref name="predicate"/>.</summary>
    public async Task<IReadOnlyList<T>> WaitForAsync<T>(Func<T, bool> predicate, TimeSpan timeout, int count = 1)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var matches = _events.OfType<T>().Where(predicate).ToArray();
            if (matches.Length >= count)
            {
                return matches;
            }
            try
            {
                await _arrived.WaitAsync(TimeSpan.FromMilliseconds(500), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Waited {timeout} for {count} {typeof(T).Name} event(s); got {matches.Length}. Events: " +
                    string.Join("; ", _events.Select(e => e.ToString())));
            }
        }
    }
}
