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
/// and items of cancelled calls are dropped before they reach the model.
/// </summary>
public sealed partial class MicroBatcher<TInput> : IAsyncDisposable
{
    private readonly string _lane;
    private readonly Func<IReadOnlyList<TInput>, float[][]> _run;
    private readonly BatchingOptions _options;
    private readonly EmbedderTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private readonly string _provider;
    private int _depth;

    public MicroBatcher(string lane, string provider, Func<IReadOnlyList<TInput>, float[][]> run, BatchingOptions options,
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
        // Inference is synchronous and CPU-bound: give it its own thread rather than a pool thread.
        _worker = Task.Factory.StartNew(WorkAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Items currently waiting.</summary>
    public int QueueDepth => Volatile.Read(ref _depth);

    /// <summary>Embeds <paramref name="items"/>; the results come back in input order.</summary>
    /// <exception cref="QueueFullException">The queue cannot take all the items now.</exception>
    public Task<float[][]> EmbedAsync(IReadOnlyList<TInput> items, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(items.Count);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        ReserveQueueSpace(items.Count);

        var call = new PendingCall(items.Count, cancellationToken, Activity.Current?.Context ?? default);
        foreach (var (item, index) in items.Select((item, index) => (item, index)))
        {
            _queue.Writer.TryWrite(new Entry(call, index, item, Stopwatch.GetTimestamp()));
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

        // Shutting down: fail whatever is still queued rather than leaving callers hanging.
        while (reader.TryRead(out var entry))
        {
            entry.Call.Fail(new ObjectDisposedException(nameof(MicroBatcher<>), "The embedder is shutting down."));
        }
    }

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

    private readonly record struct Entry(PendingCall Call, int Index, TInput Item, long EnqueuedAt);

    /// <summary>One caller's request: completes when all its items are embedded, or fails/cancels as a whole.</summary>
    private sealed class PendingCall
    {
        private readonly TaskCompletionSource<float[][]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly float[][] _results;
        private readonly CancellationTokenRegistration _registration;
        private int _remaining;

        public PendingCall(int count, CancellationToken cancellationToken, ActivityContext traceContext)
        {
            _results = new float[count][];
            _remaining = count;
            TraceContext = traceContext;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.Register(() => _completion.TrySetCanceled(cancellationToken));
            }
        }

        public Task<float[][]> Task => _completion.Task;
        public ActivityContext TraceContext { get; }
        public bool IsOpen => !_completion.Task.IsCompleted;

        public void Complete(int index, float[] vector)
        {
            _results[index] = vector;
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
}
