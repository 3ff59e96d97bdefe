using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AspireMmRag.Gateway.Telemetry;

/// <summary>Spans for the steps of a request (retrieve, embed paths, rank images); metrics for asks and hits.</summary>
public sealed class GatewayTelemetry : IDisposable
{
    public const string Name = "AspireMmRag.Gateway";
    public static readonly ActivitySource ActivitySource = new(Name);
    private readonly Meter _meter;

    public GatewayTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        AskDuration = _meter.CreateHistogram<double>("gateway.ask.duration", "ms", "Time to answer one question, by mode.");
        RetrievalDuration = _meter.CreateHistogram<double>("gateway.retrieval.duration", "ms", "Time from a query to its ranked passages and images, by passage search mode (hybrid, dense, bm25).");
        Hits = _meter.CreateHistogram<long>("gateway.retrieval.hits", "{hit}", "Results returned per query, by modality (text, image).");
    }

    public Histogram<double> AskDuration { get; }
    public Histogram<double> RetrievalDuration { get; }
    public Histogram<long> Hits { get; }

    public void Dispose() => _meter.Dispose();
}
