using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AspireMmRag.Gateway.Answering;

/// <summary>The <c>generate answer</c> span and the answer metrics: time to the first token of the language model, and
/// answers given retrieval-only (tagged with why).</summary>
public sealed class AnswerTelemetry : IDisposable
{
    public const string Name = "AspireMmRag.Gateway.Answering";
    public const string GenerateSpanName = "generate answer";

    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>Tags of the span and the metrics.</summary>
    public static class Tags
    {
        public const string Mode = "answer.mode";
        public const string Model = "answer.model";
        public const string Provider = "answer.provider";
        public const string CitationsUsed = "answer.citations_used";
        public const string ImagesUsed = "answer.images_used";
        public const string Reason = "answer.retrieval_only_reason";
    }

    /// <summary>Values of <see cref="Tags.Reason"/>.</summary>
    public static class Reasons
    {
        public const string NotConfigured = "not_configured";
        public const string Unreachable = "unreachable";
        public const string Timeout = "timeout";
        public const string ModelNotFound = "model_not_found";
        public const string HttpError = "http_error";
        public const string EmptyAnswer = "empty_answer";
        public const string Error = "error";
    }

    private readonly Meter _meter;

    public AnswerTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        TimeToFirstToken = _meter.CreateHistogram<double>("gateway.answer.time_to_first_token", "ms",
            "Time from calling the language model to its first answer text.");
        RetrievalOnlyAnswers = _meter.CreateCounter<long>("gateway.answer.retrieval_only", "{answer}",
            "Answers extracted from the sources instead of written by the language model, by reason.");
    }

    public Histogram<double> TimeToFirstToken { get; }
    public Counter<long> RetrievalOnlyAnswers { get; }

    public void Dispose() => _meter.Dispose();
}
