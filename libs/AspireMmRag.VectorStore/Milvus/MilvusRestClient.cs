using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>
/// One Milvus REST v2 call: <c>POST {endpoint}/v2/vectordb/{category}/{action}</c> with a JSON body, the
/// <c>Request-Timeout</c>, <c>Accept-Type-Allow-Int64</c> and optional <c>Authorization: Bearer</c> headers, a per-call timeout,
/// and the response envelope <c>{"code","message"?,"data"?}</c>: HTTP 200 carries errors in <c>code</c> (0 is success;
/// some 2.4 builds answer 200 for success, so both count).
/// Failures become <see cref="MilvusRequestException"/>; the caller's cancellation stays an <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class MilvusRestClient
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue JsonAccept = new("application/json");

    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly Uri _apiBase;
    private readonly TimeSpan _timeout;
    private readonly string _timeoutSeconds;
    private readonly AuthenticationHeaderValue? _authorization;

    public MilvusRestClient(HttpClient http, MilvusOptions options, ILogger logger)
    {
        _http = http;
        _logger = logger;
        var endpoint = options.Endpoint.AbsoluteUri;
        _apiBase = new Uri((endpoint.EndsWith('/') ? endpoint : endpoint + "/") + "v2/vectordb/");
        _timeout = options.RequestTimeout;
        _timeoutSeconds = Math.Max(1, (long)Math.Ceiling(options.RequestTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        _authorization = string.IsNullOrEmpty(options.Token) ? null : new AuthenticationHeaderValue("Bearer", options.Token);
    }

    /// <summary>Posts <paramref name="body"/> to <paramref name="action"/> (<c>category/action</c>) and returns the
    /// response's <c>data</c> (<see cref="JsonValueKind.Undefined"/> when absent).</summary>
    public async Task<JsonElement> PostAsync(string action, string collection, byte[] body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_apiBase, action))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = JsonContentType;
        request.Headers.Accept.Add(JsonAccept);
        request.Headers.TryAddWithoutValidation("Request-Timeout", _timeoutSeconds);
        request.Headers.TryAddWithoutValidation("Accept-Type-Allow-Int64", "true");
        request.Headers.Authorization = _authorization;

        HttpResponseMessage response;
        byte[] payload;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            using (response)
            {
                payload = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            throw Fail(action, collection, $"no answer within {_timeout.TotalSeconds:0.###} s (Milvus:RequestTimeout)", null, null,
                new TimeoutException($"The Milvus call {action} timed out after {_timeout}.", ex));
        }
        catch (Exception ex) when (ex is not VectorStoreException)
        {
            // HttpRequestException (connection refused, DNS…) once the retries of AddMilvusVectorStore's policy are spent.
            throw Fail(action, collection, $"the request failed: {ex.Message}", null, null, ex);
        }

        if (!response.IsSuccessStatusCode)
        {
            var (errorCode, errorMessage) = TryReadError(payload);
            var detail = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}"
                + (errorCode is null ? "" : $", code {errorCode}")
                + (string.IsNullOrEmpty(errorMessage) ? "" : $": {errorMessage}");
            throw Fail(action, collection, detail, errorCode, response.StatusCode, null);
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("code", out var codeElement)
                || !MilvusRowMapper.TryReadInt64(codeElement, out var code))
            {
                throw Fail(action, collection, $"the answer has no numeric 'code': {Snippet(payload)}", null, response.StatusCode, null);
            }
            if (code is not (0 or 200))
            {
                var message = root.TryGetProperty("message", out var messageElement) && messageElement.ValueKind == JsonValueKind.String
                    ? messageElement.GetString()
                    : null;
                throw Fail(action, collection, $"code {code}: {message ?? "(no message)"}", checked((int)code), response.StatusCode, null);
            }
            return root.TryGetProperty("data", out var data) ? data.Clone() : default;
        }
        catch (JsonException ex)
        {
            throw Fail(action, collection, $"the answer is not JSON: {Snippet(payload)}", null, response.StatusCode, ex);
        }
    }

    private MilvusRequestException Fail(string action, string collection, string detail, int? code,
        System.Net.HttpStatusCode? status, Exception? inner)
    {
        MilvusLog.RequestFailed(_logger, action, collection, detail);
        return new MilvusRequestException($"Milvus {action} on collection '{collection}' failed: {detail}", action, code, status, inner);
    }

    private static (int? Code, string? Message) TryReadError(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, Snippet(payload));
            }
            int? code = root.TryGetProperty("code", out var c) && MilvusRowMapper.TryReadInt64(c, out var value)
                && value is >= int.MinValue and <= int.MaxValue ? (int)value : null;
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return (code, message ?? Snippet(payload));
        }
        catch (JsonException)
        {
            return (null, Snippet(payload));
        }
    }

    private static string Snippet(byte[] payload)
    {
        const int max = 300;
        var text = Encoding.UTF8.GetString(payload, 0, Math.Min(payload.Length, max * 4));
        return text.Length <= max ? text : text[..max] + "…";
    }
}
