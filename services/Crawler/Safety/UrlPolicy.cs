using AspireMmRag.Crawler.Options;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Safety;

/// <summary>Which URLs may be requested at all: http/https, no credentials in the URL, and a host on the allowlist
/// (<c>Crawler:Safety:AllowedHosts</c>). Addresses are checked separately, after DNS, by <see cref="SafeConnector"/>.</summary>
public sealed class UrlPolicy(IOptions<SafetyOptions> options)
{
    private readonly IReadOnlyList<string> _allowedHosts = options.Value.EffectiveAllowedHosts
        .Select(host => host.Trim().TrimEnd('.').ToLowerInvariant())
        .Where(host => host.Length > 0)
        .ToArray();

    /// <exception cref="RequestRefusedException">The URL may not be requested.</exception>
    public void EnsureAllowed(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
        {
            throw new RequestRefusedException($"Refused '{uri}': only absolute http and https URLs are crawled.", "scheme");
        }
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new RequestRefusedException($"Refused '{Describe(uri)}': the scheme '{uri.Scheme}' is not allowed (only http and https).", "scheme");
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new RequestRefusedException($"Refused '{Describe(uri)}': credentials in URLs are not allowed.", "credentials");
        }
        var host = uri.IdnHost.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        if (!IsAllowedHost(host))
        {
            throw new RequestRefusedException(
                $"Refused '{Describe(uri)}': the host '{host}' is not in Crawler:Safety:AllowedHosts ({string.Join(", ", _allowedHosts)}).", "host");
        }
    }

    private bool IsAllowedHost(string host)
    {
        foreach (var allowed in _allowedHosts)
        {
            if (allowed.StartsWith("*.", StringComparison.Ordinal)
                ? host.EndsWith(allowed[1..], StringComparison.Ordinal)
                : host == allowed.Trim('[', ']'))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The URL without query string, for messages.</summary>
    private static string Describe(Uri uri) => uri.GetLeftPart(UriPartial.Path);
}
