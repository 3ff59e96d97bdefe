using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AspireMmRag.Indexer.Telemetry;

/// <summary>Spans for each document and its steps (chunk, embed, store); counters for what was written.</summary>
public sealed class IndexerTelemetry : IDisposable
{
    public const string Name = "AspireMmRag.Indexer";
    public static readonly ActivitySource ActivitySource = new(Name);
    private readonly Meter _meter;

    public IndexerTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        Documents = _meter.CreateCounter<long>("indexer.documents", "{document}", "Documents processed, by outcome.");
        Passages = _meter.CreateCounter<long>("indexer.passages.written", "{passage}", "Passages embedded and written.");
        Images = _meter.CreateCounter<long>("indexer.images", "{image}", "Images processed, by outcome (indexed, caption-only, failed).");
        ImageCaptions = _meter.CreateCounter<long>("indexer.image_captions.written", "{caption}", "Image captions embedded and written.");
        Duration = _meter.CreateHistogram<double>("indexer.document.duration", "s", "Time to index one document.");
    }

    public Counter<long> Documents { get; }
    public Counter<long> Passages { get; }
    public Counter<long> Images { get; }
    public Counter<long> ImageCaptions { get; }
    public Histogram<double> Duration { get; }

    public void Dispose() => _meter.Dispose();
}
