namespace AspireMmRag.Crawler.Safety;

/// <summary>A response body went past its size cap; reading stopped there.</summary>
public sealed class ResponseTooLargeException(Uri uri, long limit)
    : Exception($"The response from {uri} is larger than the {limit:N0}-byte limit; reading stopped at the limit.")
{
    public Uri Uri { get; } = uri;
    public long Limit { get; } = limit;
}
