using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AspireMmRag.Crawler.Telemetry;

/// <summary>
/// The crawler's ActivitySource (spans per page, per folder and per image download) and counters. Names start with
/// "AspireMmRag" so ServiceDefaults exports them.
/// </summary>
public sealed class CrawlerTelemetry : IDisposable
{
    public const string Name = "AspireMmRag.Crawler";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _documentsPublished;
    private readonly Counter<long> _imagesStored;
    private readonly Counter<long> _imagesSkipped;
    private readonly Counter<long> _requestsRefused;
    private readonly Counter<long> _backoffs;

    public CrawlerTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _documentsPublished = _meter.CreateCounter<long>("crawler.documents.published", "{document}", "DocumentCrawled messages published.");
        _imagesStored = _meter.CreateCounter<long>("crawler.images.stored", "{image}", "Images put in the media store.");
        _imagesSkipped = _meter.CreateCounter<long>("crawler.images.skipped", "{image}", "Images not kept, by reason.");
        _requestsRefused = _meter.CreateCounter<long>("crawler.requests.refused", "{request}", "Requests and paths refused by the safety checks, by reason.");
        _backoffs = _meter.CreateCounter<long>("crawler.http.backoffs", "{retry}", "Waits after a throttling answer (429/503, maxlag, ratelimited).");
    }

    public void DocumentPublished(string source) => _documentsPublished.Add(1, new KeyValuePair<string, object?>("source", source));

    public void ImageStored(string source) => _imagesStored.Add(1, new KeyValuePair<string, object?>("source", source));

    public void ImageSkipped(string source, string reason) =>
        _imagesSkipped.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("reason", reason));

    public void RequestRefused(string reason) => _requestsRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Backoff(string reason) => _backoffs.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}
