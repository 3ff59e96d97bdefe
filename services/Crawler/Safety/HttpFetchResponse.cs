using System.Net;

namespace AspireMmRag.Crawler.Safety;

/// <summary>A fully read response (body within its cap). <see cref="Uri"/> is the final URL after redirects.</summary>
public sealed record HttpFetchResponse(Uri Uri, HttpStatusCode StatusCode, byte[] Body, string? ContentType, TimeSpan? RetryAfter)
{
    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;
}
