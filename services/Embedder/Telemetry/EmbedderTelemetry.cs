using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AspireMmRag.Embedder.Telemetry;

/// <summary>
/// The embedder's ActivitySource and instruments. Names start with "AspireMmRag" so ServiceDefaults exports them.
/// Batch spans are children of the first request in the batch and link to every other request, so each caller's
/// trace shows the inference that served it.
/// </summary>
public sealed class EmbedderTelemetry : IDisposable
{
    public const string Name = "AspireMmRag.Embedder";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;

    public EmbedderTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        BatchSize = _meter.CreateHistogram<int>("embedder.batch.size", "{item}", "Items per inference call.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128] });
        InferenceDuration = _meter.CreateHistogram<double>("embedder.inference.duration", "s", "Duration of one inference call.");
        QueueWait = _meter.CreateHistogram<double>("embedder.queue.wait", "s", "Time an item waited before its batch ran.");
        Items = _meter.CreateCounter<long>("embedder.items", "{item}", "Items embedded; its rate is the throughput in items per second.");
        Rejected = _meter.CreateCounter<long>("embedder.rejected", "{request}", "Requests refused (bad input or a full queue).");
        Truncated = _meter.CreateCounter<long>("embedder.truncated", "{item}", "Texts cut to the model's token limit (more tokens than the model takes).");
    }

    public Histogram<int> BatchSize { get; }
    public Histogram<double> InferenceDuration { get; }
    public Histogram<double> QueueWait { get; }
    public Counter<long> Items { get; }
    public Counter<long> Rejected { get; }

    /// <summary>Texts cut to the model's token limit, tagged with the model.</summary>
    public Counter<long> Truncated { get; }

    /// <summary>Registers an observable gauge of a queue's depth (one per model lane).</summary>
    public void ObserveQueueDepth(string lane, Func<int> depth) =>
        _meter.CreateObservableGauge("embedder.queue.depth", () => new Measurement<int>(depth(), new KeyValuePair<string, object?>("lane", lane)),
            "{item}", "Items waiting to be batched.");

    /// <summary>Publishes which execution provider a model runs on (value 1, provider as a tag).</summary>
    public void ObserveExecutionProvider(string model, string provider) =>
        _meter.CreateObservableGauge("embedder.execution_provider", () => new Measurement<int>(1,
            new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("provider", provider)),
            description: "The ONNX Runtime execution provider a model runs on.");

    public void Dispose() => _meter.Dispose();
}
