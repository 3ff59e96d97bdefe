using System.Diagnostics;
using System.Threading.Channels;
using AspireMmRag.Embedder.Options;
using AspireMmRag.Embedder.Telemetry;

namespace AspireMmRag.Embedder.Batching;

/// <summary>
/// Coalesces concurrent embedding calls for one model into batches.
/// Items queue in arrival order; a single worker takes everything waiting (up to <see cref="BatchingOptions.MaxBatchSize"/>),
/// waits at most <see cref="BatchingOptions.MaxWait"/> for more when the batch is not full, runs the model once, and
/// completes every caller whose items were in it. A call's items may span batches. While a batch runs, new calls queue,
/// so under load batches form without any waiting. The queue is bounded (<see cref="QueueFullException"/> beyond it),
/// and items of cancelled calls are dropped before they reach the model. Disposing closes the queue and stops the worker:
/// calls still queued, or admitted while shutdown began, fail with <see cref="ObjectDisposedException"/> ("shutting down");
/// a half-built batch runs when the worker sees the queue close first and fails when it sees the stop first. No caller is
/// left waiting.
/// </summary>
public sealed partial class MicroBatcher<TInput, TOutput> : IAsyncDisposable
{
    private readonly string _lane;
    private readonly Func<IReadOnlyList<TInput>, TOutput[]> _run;
    private readonly BatchingOptions _options;
    private readonly EmbedderTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private readonly string _provider;
    private int _depth;

    public MicroBatcher(string lane, string provider, Func<IReadOnlyList<TInput>, TOutput[]> run, BatchingOptions options,
        EmbedderTelemetry telemetry, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, options.MaxBatchSize);
        _lane = lane;
        _provider = provider;
        _run = run;
        _options = options;
        _telemetry = telemetry;
        _logger = logger;
        telemetry.ObserveQueueDepth(lane, () => Volatile.Read(ref _depth));
        // One worker loop per lane. It runs on thread-pool threads (it awaits between batches); inference runs synchronously
        // inside the loop, so a lane never runs two batches at once.
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Items currently waiting.</summary>
    public int QueueDepth => Volatile.Read(ref _depth);

    /// <summary>Embeds <paramref name="items"/>; the results come back in input order.</summary>
    /// <exception cref="QueueFullException">The queue cannot take all the items now.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is shutting down (thrown, or the task fails with it).</exception>
    public Task<TOutput[]> EmbedAsync(IReadOnlyList<TInput> items, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(items.Count);
        cancellationToken.ThrowIfCancellationRequested();
        if (_stopping.IsCancellationRequested)
        {
            throw ShuttingDown();
        }
        ReserveQueueSpace(items.Count);

        var call = new PendingCall<TOutput>(items.Count, cancellationToken, Activity.Current?.Context ?? default);
        for (var index = 0; index < items.Count; index++)
        {
            if (!_queue.Writer.TryWrite(new Entry(call, index, items[index], Stopwatch.GetTimestamp())))
            {
                // Shutdown completed the queue after the check above: nothing more is read, so fail the call here
                // (items already written are failed by the worker's drain).
                Interlocked.Add(ref _depth, index - items.Count);
                call.Fail(ShuttingDown());
                break;
            }
        }
        return call.Task;
    }

    private void ReserveQueueSpace(int count)
    {
        while (true)
        {
            var depth = Volatile.Read(ref _depth);
            if (depth + count > _options.QueueCapacity)
            {
                throw new QueueFullException(_lane, depth, _options.QueueCapacity);
            }
            if (Interlocked.CompareExchange(ref _depth, depth + count, depth) == depth)
            {
                return;
            }
        }
    }

    private async Task WorkAsync()
    {
        var batch = new List<Entry>(_options.MaxBatchSize);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                Fill(batch, reader);
                if (batch.Count < _options.MaxBatchSize && _options.MaxWait > TimeSpan.Zero && batch.Count > 0)
                {
                    await WaitForMoreAsync(batch, reader).ConfigureAwait(false);
                }
                if (batch.Count > 0)
                {
                    RunBatch(batch);
                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }

        // Shutting down: fail the half-built batch (stop seen while waiting for more) and whatever is still queued.
        foreach (var entry in batch)
        {
            entry.Call.Fail(ShuttingDown());
        }
        while (reader.TryRead(out var entry))
        {
            entry.Call.Fail(ShuttingDown());
        }
    }

    private static ObjectDisposedException ShuttingDown() =>
        new(nameof(MicroBatcher<,>), "The embedder is shutting down.");

    private void Fill(List<Entry> batch, ChannelReader<Entry> reader)
    {
        while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var entry))
        {
            Interlocked.Decrement(ref _depth);
            if (entry.Call.IsOpen)
            {
                batch.Add(entry);
            }
        }
    }

    private async Task WaitForMoreAsync(List<Entry> batch, ChannelReader<Entry> reader)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.MaxWait);
        try
        {
            while (batch.Count < _options.MaxBatchSize && await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
            {
                Fill(batch, reader);
            }
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            // MaxWait elapsed: run what we have.
        }
    }

    private void RunBatch(List<Entry> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var parent = batch[0].Call.TraceContext;
        var links = batch.Select(entry => entry.Call.TraceContext).Where(context => context != default && context != parent)
            .Distinct().Select(context => new ActivityLink(context));
        using var activity = EmbedderTelemetry.ActivitySource.StartActivity(ActivityKind.Internal, parent, links: links, name: $"embed {_lane}");
        activity?.SetTag("embedder.lane", _lane);
        activity?.SetTag("embedder.batch.size", batch.Count);
        activity?.SetTag("embedder.execution_provider", _provider);

        var lane = new KeyValuePair<string, object?>("lane", _lane);
        foreach (var entry in batch)
        {
            _telemetry.QueueWait.Record(Stopwatch.GetElapsedTime(entry.EnqueuedAt, started).TotalSeconds, lane);
        }

        try
        {
            var vectors = _run(batch.Select(entry => entry.Item).ToArray());
            if (vectors.Length != batch.Count)
            {
                throw new InvalidOperationException($"The {_lane} model returned {vectors.Length} vectors for {batch.Count} inputs.");
            }
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Call.Complete(batch[i].Index, vectors[i]);
            }
            _telemetry.Items.Add(batch.Count, lane);
        }
        catch (Exception ex)
        {
            LogBatchFailed(_logger, ex, _lane, batch.Count);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            foreach (var entry in batch)
            {
                entry.Call.Fail(ex);
            }
        }
        finally
        {
            _telemetry.BatchSize.Record(batch.Count, lane);
            _telemetry.InferenceDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, lane,
                new KeyValuePair<string, object?>("provider", _provider));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _worker.ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Embedding batch of {Count} items on {Lane} failed")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, string lane, int count);

    private readonly record struct Entry(PendingCall<TOutput> Call, int Index, TInput Item, long EnqueuedAt);
}
