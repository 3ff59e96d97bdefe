namespace AspireMmRag.Gateway.Apis;

/// <summary>Settings under <c>Gateway</c>: request limits, the upload size, and the ask concurrency limit.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    public int MaxQuestionLength { get; set; } = 4000;
    public int MaxHistoryTurns { get; set; } = 6;
    public int MaxFilterValues { get; set; } = 100;
    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Asks answered at the same time; more wait in a queue of <see cref="AskQueueLimit"/>, then get 429.</summary>
    public int AskConcurrencyLimit { get; set; } = 4;
    public int AskQueueLimit { get; set; } = 16;
}
