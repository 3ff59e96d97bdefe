using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AspireMmRag.Embedder.ModelDownload;

/// <summary>URLs and metadata of one model's repository on the Hub.</summary>
internal sealed class HubClient(HttpClient http, Uri endpoint, ModelManifestEntry model)
{
    private const int MaxRedirects = 10;
    private Dictionary<string, RemoteFileInfo>? _pathsInfo;

    public Uri ResolveUrl(ModelManifestFile file) =>
        new($"{endpoint.AbsoluteUri.TrimEnd('/')}/{EscapePath(model.Repo)}/resolve/{Uri.EscapeDataString(model.Revision)}/{EscapePath(file.Path)}");

    /// <summary>Sends GET or HEAD, following redirects itself when the handler does not, and keeps X-Linked-Etag/X-Linked-Size.</summary>
    public async Task<HubResponse> SendAsync(HttpMethod method, Uri url, CancellationToken token)
    {
        string? sha256 = null;
        long? size = null;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = new HttpRequestMessage(method, url);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            sha256 ??= LinkedSha256(response);
            size ??= LinkedSize(response);
            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                url = location.IsAbsoluteUri ? location : new Uri(url, location);
                response.Dispose();
                continue;
            }

            return new HubResponse(response, sha256, size);
        }

        throw new HttpRequestException($"More than {MaxRedirects} redirects from {url}.");
    }

    /// <summary>Expected sha256/size without downloading: the paths-info API, else the headers of a HEAD request.</summary>
    public async Task<RemoteFileInfo> GetInfoAsync(ModelManifestFile file, CancellationToken token)
    {
        var info = await GetApiInfoAsync(file, token).ConfigureAwait(false);
        if (info.Sha256 is not null || info.Size is not null)
        {
            return info;
        }

        using var head = await SendAsync(HttpMethod.Head, ResolveUrl(file), token).ConfigureAwait(false);
        return head.Response.IsSuccessStatusCode
            ? new RemoteFileInfo(head.LinkedSha256, head.LinkedSize ?? head.Response.Content.Headers.ContentLength)
            : default;
    }

    /// <summary><c>POST /api/models/{repo}/paths-info/{revision}</c>, asked once per run for all files: <c>lfs.oid</c> is the sha256 of an LFS file.</summary>
    public async Task<RemoteFileInfo> GetApiInfoAsync(ModelManifestFile file, CancellationToken token)
    {
        _pathsInfo ??= await FetchPathsInfoAsync(token).ConfigureAwait(false);
        return _pathsInfo.TryGetValue(file.Path, out var info) ? info : default;
    }

    private async Task<Dictionary<string, RemoteFileInfo>> FetchPathsInfoAsync(CancellationToken token)
    {
        var url = new Uri($"{endpoint.AbsoluteUri.TrimEnd('/')}/api/models/{EscapePath(model.Repo)}/paths-info/{Uri.EscapeDataString(model.Revision)}");
        var body = new JsonObject
        {
            ["paths"] = new JsonArray(model.Files.Select(f => (JsonNode?)JsonValue.Create(f.Path)).ToArray()),
            ["expand"] = false,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
        var result = new Dictionary<string, RemoteFileInfo>(StringComparer.Ordinal);
        if (!response.IsSuccessStatusCode)
        {
            return result; // a plain mirror has no API: not an error, the headers and sizes still count
        }

        var json = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return result; // not the Hub's API after all
        }

        using var _ = document;
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var entry in document.RootElement.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            string? sha256 = null;
            long? size = entry.TryGetProperty("size", out var s) && s.TryGetInt64(out var n) ? n : null;
            if (entry.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object)
            {
                sha256 = lfs.TryGetProperty("oid", out var oid) ? NormalizeSha256(oid.ValueKind == JsonValueKind.String ? oid.GetString() : null) : null;
                size = lfs.TryGetProperty("size", out var ls) && ls.TryGetInt64(out var ln) ? ln : size;
            }

            result[path.GetString()!] = new RemoteFileInfo(sha256, size);
        }

        return result;
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string? LinkedSha256(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Linked-Etag", out var values) ? NormalizeSha256(values.FirstOrDefault()) : null;

    private static long? LinkedSize(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Linked-Size", out var values) && long.TryParse(values.FirstOrDefault(), out var size) ? size : null;

    /// <summary><c>"abc…"</c> or <c>W/"abc…"</c> → lowercase hex, when it is a sha256 (64 hex digits).</summary>
    private static string? NormalizeSha256(string? value)
    {
        var trimmed = value?.Trim();
        if (trimmed is null)
        {
            return null;
        }

        if (trimmed.StartsWith("W/", StringComparison.Ordinal))
        {
            trimmed = trimmed[2..];
        }

        trimmed = trimmed.Trim('"');
        return trimmed.Length == 64 && trimmed.All(char.IsAsciiHexDigit) ? trimmed.ToLowerInvariant() : null;
    }

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}

/// <summary>A response plus the Hub headers seen on the redirects that led to it.</summary>
internal sealed class HubResponse(HttpResponseMessage response, string? linkedSha256, long? linkedSize) : IDisposable
{
    public HttpResponseMessage Response { get; } = response;
    public string? LinkedSha256 { get; } = linkedSha256;
    public long? LinkedSize { get; } = linkedSize;
    public void Dispose() => Response.Dispose();
}

/// <summary>What the Hub says a file should be; both parts are optional.</summary>
internal readonly record struct RemoteFileInfo(string? Sha256, long? Size);
