namespace AspireMmRag.Embedding;

/// <summary>How services reach the embedder. Bound from <c>EmbedderClient</c>.</summary>
public sealed class EmbedderClientOptions
{
    public const string SectionName = "EmbedderClient";

    /// <summary>A service-discovery name (<c>http://embedder</c>, resolved from <c>services:embedder:http:*</c>) or a plain URL.
    /// gRPC needs <c>http://</c> or <c>https://</c>; <c>https+http://</c> has no gRPC resolver.</summary>
    public Uri Address { get; set; } = new("http://embedder");

    /// <summary>HTTP/2 connections opened to each resolved endpoint. Aspire's proxy in front of replicas balances per
    /// connection, and one HTTP/2 connection carries every call, so several connections are what spreads calls over
    /// replicas behind one address; when discovery yields every replica's address, calls spread over those directly.</summary>
    public int ConnectionsPerEndpoint { get; set; } = 4;

    /// <summary>Deadline of one call, retries included.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts for calls that fail with UNAVAILABLE (replica restarting, model still loading) or RESOURCE_EXHAUSTED.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>UNAVAILABLE calls in a row after which a connection is set aside (and probed until it answers).</summary>
    public int EjectAfterUnavailable { get; set; } = 3;

    /// <summary>Wait before the first probe of a connection set aside; doubles after each failed probe.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait between probes of a connection set aside.</summary>
    public TimeSpan MaxProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline of one probe (a DescribeModels call).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the endpoint list is resolved again.</summary>
    public TimeSpan ResolveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest message sent or received (images travel in requests).</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024 * 1024;
}
