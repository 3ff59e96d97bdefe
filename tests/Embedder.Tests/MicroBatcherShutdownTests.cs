using System.Collections;
using System.Diagnostics.Metrics;
using AspireMmRag.Embedder.Batching;
using AspireMmRag.Embedder.Options;
using AspireMmRag.Embedder.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspireMmRag.Embedder.Tests;

/// <summary>Stopping a batcher that waits for more items (<see cref="BatchingOptions.MaxWait"/> &gt; 0): every caller gets its
/// vectors or an <see cref="ObjectDisposedException"/> ("shutting down") within a bounded time, none is left hanging.</summary>
public sealed class MicroBatcherShutdownTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly EmbedderTelemetry _telemetry;

    public MicroBatcherShutdownTests() => _telemetry = new EmbedderTelemetry(_services.GetRequiredService<IMeterFactory>());

    [Fact]
    public async Task A_call_admitted_just_before_shutdown_fails_instead_of_hanging()
    {
        var batcher = Create(TimeSpan.FromMilliseconds(20), maxBatchSize: 8);
        Task? disposing = null;
        // Shutdown lands after the call passed the "not stopping" check but before its items are queued.
        var items = new ReadHook<int>([1, 2, 3], () => disposing = batcher.DisposeAsync().AsTask());

        var error = await Assert.ThrowsAsync<ObjectDisposedException>(async () => await batcher.EmbedAsync(items, CancellationToken.None).WaitAsync(Bound));
        Assert.Contains("shutting down", error.Message);
        await disposing!.WaitAsync(Bound);
    }

    [Fact]
    public async Task Stopping_while_a_batch_waits_for_more_items_completes_or_fails_every_caller()
    {
        // Callers keep arriving one item at a time, so the worker is mostly inside its MaxWait wait with a half-built batch.
        for (var round = 0; round < 40; round++)
        {
            var batcher = Create(TimeSpan.FromMilliseconds(50), maxBatchSize: 1024);
            using var stop = new CancellationTokenSource();
            var producers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                var calls = new List<Task<float[][]>>();
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        calls.Add(batcher.EmbedAsync([calls.Count], CancellationToken.None));
                    }
                    catch (ObjectDisposedException)
                    {
                        break;
                    }
                    await Task.Yield();
                }
                return calls;
            })).ToArray();

            await Task.Delay(5 + round % 7 * 3);
            await batcher.DisposeAsync().AsTask().WaitAsync(Bound);
            await stop.CancelAsync();
            var calls = (await Task.WhenAll(producers).WaitAsync(Bound)).SelectMany(list => list).ToArray();

            foreach (var call in calls)
            {
                try
                {
                    var vectors = await call.WaitAsync(Bound);
                    Assert.Single(vectors);
                }
                catch (ObjectDisposedException ex)
                {
                    Assert.Contains("shutting down", ex.Message);
                }
            }
        }
    }

    [Fact]
    public async Task Disposing_while_a_lone_call_waits_out_MaxWait_answers_it_at_once()
    {
        var batcher = Create(TimeSpan.FromSeconds(60), maxBatchSize: 8);
        var waiting = batcher.EmbedAsync([5], CancellationToken.None);
        while (batcher.QueueDepth > 0)
        {
            await Task.Delay(5);
        }

        await batcher.DisposeAsync().AsTask().WaitAsync(Bound);
        try
        {
            Assert.Equal(5f, (await waiting.WaitAsync(Bound))[0][0]);
        }
        catch (ObjectDisposedException ex)
        {
            Assert.Contains("shutting down", ex.Message);
        }
        Assert.Throws<ObjectDisposedException>(() => { _ = batcher.EmbedAsync([6], CancellationToken.None); });
    }

    private MicroBatcher<int, float[]> Create(TimeSpan maxWait, int maxBatchSize) =>
        new("test", "CPU", items => items.Select(item => new[] { (float)item }).ToArray(),
            new BatchingOptions { MaxBatchSize = maxBatchSize, MaxWait = maxWait, QueueCapacity = 1 << 20 }, _telemetry, NullLogger.Instance);

    public async ValueTask DisposeAsync()
    {
        _telemetry.Dispose();
        await _services.DisposeAsync();
    }

    /// <summary>A list that runs <paramref name="onFirstRead"/> the first time an item is read (not when its count is).</summary>
    private sealed class ReadHook<T>(IReadOnlyList<T> items, Action onFirstRead) : IReadOnlyList<T>
    {
        private int _read;

        public int Count => items.Count;

        public T this[int index]
        {
            get
            {
                Hook();
                return items[index];
            }
        }

        public IEnumerator<T> GetEnumerator()
        {
            for (var i = 0; i < items.Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private void Hook()
        {
            if (Interlocked.Exchange(ref _read, 1) == 0)
            {
                onFirstRead();
            }
        }
    }
}
