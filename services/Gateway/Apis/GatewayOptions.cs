namespace AspireMmRag.Gateway.Apis;

/// <summary>Settings under <c>Gateway</c>: request limits, the upload size, the ask concurrency limit and the API key.</summary>
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

    /// <summary>When set, writes (ingest, delete) need this value in the <c>X-Api-Key</c> header.</summary>
    public string? ApiKey { get; set; }

    /// <summary>With <see cref="ApiKey"/> set: every other <c>/api</c> endpoint needs the key too.</summary>
    public bool RequireKeyForReads { get; set; }
}
