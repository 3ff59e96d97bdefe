namespace AspireMmRag.Crawler.Safety;

/// <summary>One GET through <see cref="GuardedHttpClient"/>: where, how much may be read, how long it may take, who asks.</summary>
public sealed record HttpFetchRequest(Uri Uri, long MaxBytes, TimeSpan Timeout, string UserAgent);
