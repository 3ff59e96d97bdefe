using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace AspireMmRag.Crawler.Tests;

/// <summary>Records the counter increments of the meters one <see cref="IMeterFactory"/> made (so parallel tests don't mix).</summary>
public sealed class CounterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();

    public CounterRecorder(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tagText = string.Join(",", tags.ToArray().Select(tag => $"{tag.Key}={tag.Value}"));
            Measurements.Enqueue((instrument.Name, tagText, value));
        });
        _listener.Start();
    }

    public ConcurrentQueue<(string Instrument, string Tags, long Value)> Measurements { get; } = new();

    public long Total(string instrument, string? tagContains = null) =>
        Measurements.Where(m => m.Instrument == instrument && (tagContains is null || m.Tags.Contains(tagContains, StringComparison.Ordinal))).Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();
}
