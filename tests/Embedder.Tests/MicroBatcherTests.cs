using System.Diagnostics.Metrics;
using AspireMmRag.Embedder.Batching;
using AspireMmRag.Embedder.Options;
using AspireMmRag.Embedder.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspireMmRag.Embedder.Tests;

/// <summary>The batcher on its own, with a model stand-in that the test can hold up to make timing deterministic.</summary>
public sealed class MicroBatcherTests : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly EmbedderTelemetry _telemetry;
    private readonly GatedModel _model = new();

    public MicroBatcherTests() => _telemetry = new EmbedderTelemetry(_services.GetRequiredService<IMeterFactory>());

    [Fact]
    public async Task Items_that_arrive_while_a_batch_runs_form_the_next_batch_in_order()
    {
        await using var batcher = Create(maxBatchSize: 8);
        var first = batcher.EmbedAsync([1], CancellationToken.None);
        await _model.Started.WaitAsync(TimeSpan.FromSeconds(10));

        var next = Enumerable.Range(2, 5).Select(i => batcher.EmbedAsync([i], CancellationToken.None)).ToArray();
        _model.Release();

        Assert.Equal(1f, (await first)[0][0]);
        var results = await Task.WhenAll(next);
        Assert.Equal([2f, 3f, 4f, 5f, 6f], results.Select(r => r[0][0]));
        Assert.Equal([[1], [2, 3, 4, 5, 6]], _model.Batches);
    }

    [Fact]
    public async Task A_call_larger_than_the_batch_size_is_split_and_reassembled_in_order()
    {
        _model.Release();
        await using var batcher = Create(maxBatchSize: 4);

        var result = await batcher.EmbedAsync(Enumerable.Range(0, 10).ToArray(), CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), result.Select(v => v[0]));
        Assert.All(_model.Batches, batch => Assert.True(batch.Length <= 4));
        Assert.Equal(10, _model.Batches.Sum(b => b.Length));
    }

    [Fact]
    public async Task A_cancelled_call_is_dropped_before_it_reaches_the_model()
    {
        await using var batcher = Create(maxBatchSize: 8);
        var blocker = batcher.EmbedAsync([1], CancellationToken.None);
        await _model.Started.WaitAsync(TimeSpan.FromSeconds(10));

        using var cancellation = new CancellationTokenSource();
        var cancelled = batcher.EmbedAsync([99], cancellation.Token);
        var kept = batcher.EmbedAsync([2], CancellationToken.None);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _model.Release();
        await blocker;
        Assert.Equal(2f, (await kept)[0][0]);
        Assert.DoesNotContain(_model.Batches, batch => batch.Contains(99));
    }

    [Fact]
    public async Task A_full_queue_refuses_new_calls_and_accepts_again_once_drained()
    {
        await using var batcher = Create(maxBatchSize: 2, queueCapacity: 4);
        var running = batcher.EmbedAsync([0], CancellationToken.None);
        await _model.Started.WaitAsync(TimeSpan.FromSeconds(10));
        var queued = batcher.EmbedAsync([1, 2, 3], CancellationToken.None);

        // The refusal is synchronous: nothing is queued, so the caller learns at once.
        var refused = Assert.Throws<QueueFullException>(() => { _ = batcher.EmbedAsync([4, 5], CancellationToken.None); });
        Assert.Contains("queue is full", refused.Message);
        Assert.Equal(3, batcher.QueueDepth);

        _model.Release();
        await running;
        await queued;
        Assert.Equal(0, batcher.QueueDepth);
        Assert.Equal(4f, (await batcher.EmbedAsync([4], CancellationToken.None))[0][0]);
    }

    [Fact]
    public async Task A_failing_batch_fails_its_callers_and_the_batcher_keeps_working()
    {
        _model.Release();
        _model.FailOn = 13;
        await using var batcher = Create(maxBatchSize: 8);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.EmbedAsync([13], CancellationToken.None));
        Assert.Contains("13", error.Message);
        Assert.Equal(7f, (await batcher.EmbedAsync([7], CancellationToken.None))[0][0]);
    }

    [Fact]
    public async Task Disposing_fails_waiting_calls_instead_of_leaving_them_hanging()
    {
        var batcher = Create(maxBatchSize: 1);
        var running = batcher.EmbedAsync([1], CancellationToken.None);
        await _model.Started.WaitAsync(TimeSpan.FromSeconds(10));
        var waiting = batcher.EmbedAsync([2], CancellationToken.None);

        var disposing = batcher.DisposeAsync().AsTask();
        _model.Release();
        await disposing.WaitAsync(TimeSpan.FromSeconds(10));

        await running;
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        Assert.Throws<ObjectDisposedException>(() => { _ = batcher.EmbedAsync([3], CancellationToken.None); });
    }

    private MicroBatcher<int, float[]> Create(int maxBatchSize, int queueCapacity = 1024) =>
        new("test", "CPU", _model.Run, new BatchingOptions { MaxBatchSize = maxBatchSize, MaxWait = TimeSpan.Zero, QueueCapacity = queueCapacity },
            _telemetry, NullLogger.Instance);

    public async ValueTask DisposeAsync()
    {
        _model.Release();
        _telemetry.Dispose();
        await _services.DisposeAsync();
    }

    /// <summary>Returns [item] for each item; holds each batch until released once (the first batch signals Started).</summary>
    private sealed class GatedModel
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _gate = new(false);

        public List<int[]> Batches { get; } = [];
        public Task Started => _started.Task;
        public int? FailOn { get; set; }

        public void Release() => _gate.Set();

        public float[][] Run(IReadOnlyList<int> items)
        {
            lock (Batches)
            {
                Batches.Add([.. items]);
            }
            _started.TrySetResult();
            _gate.Wait(TimeSpan.FromSeconds(30));
            if (FailOn is { } poison && items.Contains(poison))
            {
                throw new InvalidOperationException($"model failed on {poison}");
            }
            return items.Select(item => new[] { (float)item }).ToArray();
        }
    }
}
