using System.Net;
using System.Runtime.ExceptionServices;
using AspireMmRag.Crawler.Options;
using AspireMmRag.Crawler.Telemetry;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Safety;

/// <summary>
/// The only way the crawler makes HTTP requests. Every URL — the first and each redirect target — must pass the
/// <see cref="UrlPolicy"/>; redirects are followed here (at most <see cref="SafetyOptions.MaxRedirects"/>), never by the handler;
/// connections go through <see cref="SafeConnector"/> (addresses checked after DNS); no proxy is used (it would hide the
/// address); bodies are read with a cap; each request has its own timeout on top of the caller's token.
/// </summary>
/// <remarks>Deliberately not an IHttpClientFactory client: the service defaults add a standard resilience handler to those,
/// which would retry on its own and break the crawler's serial, Retry-After-driven back-off.</remarks>
public sealed class GuardedHttpClient : IDisposable
{
    private readonly HttpClient _client;
    private readonly UrlPolicy _urlPolicy;
    private readonly CrawlerTelemetry _telemetry;
    private readonly int _maxRedirects;

    public GuardedHttpClient(UrlPolicy urlPolicy, IpAddressPolicy addressPolicy, CrawlerTelemetry telemetry, IOptions<SafetyOptions> options)
    {
        _urlPolicy = urlPolicy;
        _telemetry = telemetry;
        _maxRedirects = options.Value.MaxRedirects;
        var connector = new SafeConnector(addressPolicy, telemetry, options.Value.ConnectTimeout);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = connector.ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <exception cref="RequestRefusedException">The URL, a redirect or the resolved address is not allowed.</exception>
    /// <exception cref="ResponseTooLargeException">The body is larger than <see cref="HttpFetchRequest.MaxBytes"/>.</exception>
    /// <exception cref="TimeoutException">The request took longer than <see cref="HttpFetchRequest.Timeout"/>.</exception>
    /// <exception cref="HttpRequestException">The connection failed.</exception>
    public async Task<HttpFetchResponse> GetAsync(HttpFetchRequest request, CancellationToken cancellationToken)
    {
        var uri = request.Uri;
        for (var redirects = 0; ; redirects++)
        {
            Check(uri, redirects == 0 ? null : request.Uri);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(request.Timeout);
            try
            {
                // HTTP/1.1 or 2 only: HTTP/3 (QUIC) would not go through the ConnectCallback and so skip the address check.
                using var message = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
                message.Headers.TryAddWithoutValidation("User-Agent", request.UserAgent);
                using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);

                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    if (redirects >= _maxRedirects)
                    {
                        _telemetry.RequestRefused("redirects");
                        throw new RequestRefusedException($"Refused '{request.Uri}': more than {_maxRedirects} redirects.", "redirects");
                    }
                    uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    continue;
                }

                byte[] body;
                try
                {
                    body = await CappedContentReader.ReadAsync(response.Content, uri, request.MaxBytes, timeout.Token);
                }
                catch (ResponseTooLargeException)
                {
                    _telemetry.RequestRefused("response-too-large");
                    throw;
                }
                return new HttpFetchResponse(uri, response.StatusCode, body, response.Content.Headers.ContentType?.MediaType, RetryAfter(response));
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"GET {uri.GetLeftPart(UriPartial.Path)} timed out after {request.Timeout.TotalSeconds:0.#} s.", ex);
            }
            catch (HttpRequestException ex) when (ex.InnerException is RequestRefusedException refused)
            {
                ExceptionDispatchInfo.Throw(refused);
                throw;
            }
        }
    }

    private void Check(Uri uri, Uri? redirectedFrom)
    {
        try
        {
            _urlPolicy.EnsureAllowed(uri);
        }
        catch (RequestRefusedException refused)
        {
            _telemetry.RequestRefused(refused.Reason);
            if (redirectedFrom is null)
            {
                throw;
            }
            throw new RequestRefusedException($"Redirect from '{redirectedFrom.GetLeftPart(UriPartial.Path)}' refused: {refused.Message}", refused.Reason, refused);
        }
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    public void Dispose() => _client.Dispose();
}
