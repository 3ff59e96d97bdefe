using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AspireMmRag.Embedder.ModelDownload;

/// <summary>
/// Makes sure the files of one <see cref="ModelManifestEntry"/> are present and verified in a folder, downloading the
/// missing ones from the Hugging Face Hub (or a mirror). Never throws for network or file-system failures: it logs
/// what is missing and returns false, so the service can start without the model. Cancellation still throws.
/// </summary>
/// <remarks>
/// Expected sha256, first found wins: the manifest's pinned value; the Hub's <c>X-Linked-Etag</c> header (the sha256
/// of an LFS file, sent on the <c>resolve</c> response before its redirect to the CDN); the <c>lfs.oid</c> of the Hub's
/// <c>paths-info</c> API (needed when the HttpClient follows redirects itself and the header is lost). Small non-LFS
/// files have no sha256 on the Hub: their size is checked and their computed sha256 recorded. Every verified file is
/// recorded in <c>SHA256SUMS</c> (sha256sum format) next to the downloads, so later runs check files without the network.
/// A file only ever reaches its final name after it was verified (or when a user put it there).
/// </remarks>
public sealed partial class ModelDownloader(HttpClient http, ILogger<ModelDownloader> logger)
{
    /// <summary>Overall time allowed by the overload without a deadline.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(30);

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
    private const int BufferSize = 1 << 16;

    /// <inheritdoc cref="EnsureAsync(ModelManifestEntry, string, string, TimeSpan, CancellationToken)"/>
    public Task<bool> EnsureAsync(ModelManifestEntry model, string targetDirectory, string hubEndpoint, CancellationToken cancellationToken) =>
        EnsureAsync(model, targetDirectory, hubEndpoint, DefaultDeadline, cancellationToken);

    /// <summary>Downloads the missing files of <paramref name="model"/> into <paramref name="targetDirectory"/> and verifies them.</summary>
    /// <param name="hubEndpoint">The Hub or a mirror, e.g. <c>https://huggingface.co</c>.</param>
    /// <param name="deadline">Overall time for the whole call (<see cref="Timeout.InfiniteTimeSpan"/> for none); past it the call returns false.
    /// Each request is bounded by <see cref="HttpClient.Timeout"/>, which also bounds a stall between two reads of a download.</param>
    /// <returns>True when every file is present and verified (or present, user-provided and unverifiable because the Hub is out of reach).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<bool> EnsureAsync(
        ModelManifestEntry model, string targetDirectory, string hubEndpoint, TimeSpan deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetDirectory);
        if (deadline != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deadline, TimeSpan.Zero);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var allNames = model.Files.Select(f => f.Name).ToList();
        if (!Uri.TryCreate(hubEndpoint?.TrimEnd('/'), UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            Log.InvalidEndpoint(logger, hubEndpoint ?? "");
            Log.ModelUnavailable(logger, model.Id, model.Repo, model.Revision, targetDirectory, allNames, model.Feature, hubEndpoint ?? "");
            return false;
        }

        ChecksumFile sums;
        try
        {
            Directory.CreateDirectory(targetDirectory);
            sums = ChecksumFile.Load(targetDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.FolderUnusable(logger, targetDirectory, ex.Message);
            Log.ModelUnavailable(logger, model.Id, model.Repo, model.Revision, targetDirectory, allNames, model.Feature, endpoint.ToString());
            return false;
        }

        using var deadlineSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (deadline != Timeout.InfiniteTimeSpan && deadline.TotalMilliseconds < int.MaxValue)
        {
            deadlineSource.CancelAfter(deadline); // longer than CancelAfter supports (~24 days) counts as none
        }

        var token = deadlineSource.Token;
        var hub = new HubClient(http, endpoint, model);
        var missing = new List<string>();
        var online = true;
        for (var i = 0; i < model.Files.Count; i++)
        {
            var file = model.Files[i];
            var path = Path.Combine(targetDirectory, file.Name);
            try
            {
                if (!await EnsureFileAsync(hub, sums, path, file, online, token).ConfigureAwait(false))
                {
                    missing.Add(file.Name);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadlineSource.IsCancellationRequested)
            {
                Log.DeadlineExceeded(logger, model.Id, deadline);
                missing.AddRange(model.Files.Skip(i).Select(f => f.Name).Where(n => !File.Exists(Path.Combine(targetDirectory, n))));
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !token.IsCancellationRequested))
            {
                // Connection failures and HttpClient.Timeout (or a stalled read): stop asking the Hub for the rest.
                Log.HubUnreachable(logger, endpoint.ToString(), file.Path, ex.Message);
                online = false;
                KeepOrMiss(file, path, missing, "the Hub could not be asked for its checksum");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.FileFailed(logger, file.Name, ex.Message);
                KeepOrMiss(file, path, missing, ex.Message);
            }

            // An I/O error raised by a cancelled read must not turn a cancellation into a plain "false".
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (missing.Count > 0)
        {
            Log.ModelUnavailable(logger, model.Id, model.Repo, model.Revision, targetDirectory, missing, model.Feature, endpoint.ToString());
            return false;
        }

        Log.ModelReady(logger, model.Id, targetDirectory, model.Files.Count);
        return true;
    }

    /// <summary>After a failure: a file at its final name was verified earlier or put there by a user, so it stays.</summary>
    private void KeepOrMiss(ModelManifestFile file, string path, List<string> missing, string reason)
    {
        if (File.Exists(path))
        {
            Log.KeptUnverified(logger, file.Name, reason);
        }
        else
        {
            missing.Add(file.Name);
        }
    }

    private async Task<bool> EnsureFileAsync(HubClient hub, ChecksumFile sums, string path, ModelManifestFile file, bool online, CancellationToken token)
    {
        if (File.Exists(path) && await CheckExistingAsync(hub, sums, path, file, online, token).ConfigureAwait(false))
        {
            return true;
        }

        return online && await DownloadAsync(hub, sums, path, file, token).ConfigureAwait(false);
    }

    /// <summary>True when the file can stay; a file whose checksum or size is known to be wrong is deleted.</summary>
    private async Task<bool> CheckExistingAsync(HubClient hub, ChecksumFile sums, string path, ModelManifestFile file, bool online, CancellationToken token)
    {
        var known = file.Sha256 ?? sums.Get(file.Name);
        if (known is null && !online)
        {
            Log.KeptUnverified(logger, file.Name, "no recorded checksum and the Hub is out of reach");
            return true;
        }

        var actual = await HashFileAsync(path, token).ConfigureAwait(false);
        if (known is not null)
        {
            if (actual == known)
            {
                sums.SetAndSave(file.Name, actual);
                Log.LocalVerified(logger, file.Name, actual);
                return true;
            }

            return Discard(sums, path, file, $"sha256 {actual} differs from the expected {known}");
        }

        var remote = await hub.GetInfoAsync(file, token).ConfigureAwait(false);
        if (remote.Sha256 is { } expected)
        {
            if (actual == expected)
            {
                sums.SetAndSave(file.Name, actual);
                Log.LocalVerified(logger, file.Name, actual);
                return true;
            }

            return Discard(sums, path, file, $"sha256 {actual} differs from the Hub's {expected}");
        }

        var length = new FileInfo(path).Length;
        if (remote.Size is { } size)
        {
            if (length == size)
            {
                sums.SetAndSave(file.Name, actual);
                Log.LocalVerified(logger, file.Name, actual);
                return true;
            }

            return Discard(sums, path, file, $"size {length} differs from the Hub's {size}");
        }

        Log.KeptUnverified(logger, file.Name, "the Hub gives neither a sha256 nor a size for it");
        return true;
    }

    private bool Discard(ChecksumFile sums, string path, ModelManifestFile file, string reason)
    {
        Log.LocalMismatch(logger, file.Name, reason);
        File.Delete(path);
        sums.RemoveAndSave(file.Name);
        return false;
    }

    private async Task<bool> DownloadAsync(HubClient hub, ChecksumFile sums, string path, ModelManifestFile file, CancellationToken token)
    {
        var url = hub.ResolveUrl(file);
        using var hubResponse = await hub.SendAsync(HttpMethod.Get, url, token).ConfigureAwait(false);
        var response = hubResponse.Response;
        if (!response.IsSuccessStatusCode)
        {
            Log.HttpStatus(logger, file.Name, url.ToString(), (int)response.StatusCode);
            return false;
        }

        var expectedSha = file.Sha256 ?? hubResponse.LinkedSha256;
        var source = file.Sha256 is not null ? "pinned in models.json" : "X-Linked-Etag";
        long? expectedSize = hubResponse.LinkedSize ?? response.Content.Headers.ContentLength;
        Log.DownloadStarting(logger, file.Name, url.ToString(), expectedSize ?? -1);

        var directory = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(directory, $".{file.Name}.{Guid.NewGuid():N}.partial");
        try
        {
            var (length, actual) = await StreamToFileAsync(response, temporary, file.Name, expectedSize, token).ConfigureAwait(false);
            if (expectedSha is null)
            {
                // Redirects followed by the HttpClient hide X-Linked-Etag: ask the Hub's API (also gives the size of non-LFS files).
                var info = await hub.GetApiInfoAsync(file, token).ConfigureAwait(false);
                expectedSha = info.Sha256;
                expectedSize ??= info.Size;
                source = "the Hub's paths-info API";
            }

            if (expectedSize is { } size && length != size)
            {
                Log.SizeMismatch(logger, file.Name, size, length);
                return false;
            }

            if (expectedSha is not null && actual != expectedSha)
            {
                Log.ChecksumMismatch(logger, file.Name, expectedSha, actual, source);
                return false;
            }

            File.Move(temporary, path, overwrite: true);
            sums.SetAndSave(file.Name, actual);
            if (expectedSha is not null)
            {
                Log.Downloaded(logger, file.Name, length, actual, source);
            }
            else if (expectedSize is not null)
            {
                Log.DownloadedSizeOnly(logger, file.Name, length, actual);
            }
            else
            {
                Log.DownloadedUnverified(logger, file.Name, length, actual);
            }

            return true;
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    /// <summary>Streams the body to <paramref name="temporary"/>, hashing as it goes; a read that stalls longer than HttpClient.Timeout fails.</summary>
    private async Task<(long Length, string Sha256)> StreamToFileAsync(
        HttpResponseMessage response, string temporary, string name, long? total, CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(token);
            var progress = new DownloadProgress(logger, name, total);
            long length = 0;
            await using var input = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                while (true)
                {
                    stall.CancelAfter(http.Timeout);
                    int read;
                    try
                    {
                        read = await input.ReadAsync(buffer.AsMemory(0, BufferSize), stall.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException ex) when (!token.IsCancellationRequested)
                    {
                        throw new HttpRequestException($"No data received for {http.Timeout} (HttpClient.Timeout) after {length} bytes.", ex);
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                    length += read;
                    progress.Report(length);
                }

                await output.FlushAsync(token).ConfigureAwait(false);
            }

            return (length, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken token)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, token).ConfigureAwait(false));
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.FileFailed(logger, path, ex.Message);
        }
    }

    /// <summary>Logs download progress every 10 % or every 5 s, whichever comes first.</summary>
    private sealed class DownloadProgress(ILogger logger, string name, long? total)
    {
        private long _nextPercent = 10;
        private long _lastLog = Stopwatch.GetTimestamp();

        public void Report(long bytes)
        {
            var now = Stopwatch.GetTimestamp();
            if (total is > 0 and var t && bytes * 100 / t >= _nextPercent)
            {
                var percent = bytes * 100 / t;
                _nextPercent = (percent / 10 + 1) * 10;
                _lastLog = now;
                if (bytes < t)
                {
                    Log.Progress(logger, name, bytes, t, percent);
                }

                return;
            }

            if (Stopwatch.GetElapsedTime(_lastLog, now) >= ProgressInterval)
            {
                _lastLog = now;
                Log.Progress(logger, name, bytes, total ?? -1, total is > 0 ? bytes * 100 / total.Value : -1);
            }
        }
    }

    /// <summary>What the Hub says a file should be; both parts are optional.</summary>
    private readonly record struct RemoteFileInfo(string? Sha256, long? Size);

    /// <summary>A response plus the Hub headers seen on the redirects that led to it.</summary>
    private sealed class HubResponse(HttpResponseMessage response, string? linkedSha256, long? linkedSize) : IDisposable
    {
        public HttpResponseMessage Response { get; } = response;
        public string? LinkedSha256 { get; } = linkedSha256;
        public long? LinkedSize { get; } = linkedSize;
        public void Dispose() => Response.Dispose();
    }

    /// <summary>URLs and metadata of one model's repository on the Hub.</summary>
    private sealed class HubClient(HttpClient http, Uri endpoint, ModelManifestEntry model)
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

    /// <summary><c>SHA256SUMS</c> next to the downloads, in <c>sha256sum</c> format (<c>sha256sum -c SHA256SUMS</c> checks it).</summary>
    private sealed class ChecksumFile
    {
        private readonly string _path;
        private readonly SortedDictionary<string, string> _entries;

        private ChecksumFile(string path, SortedDictionary<string, string> entries)
        {
            _path = path;
            _entries = entries;
        }

        public static ChecksumFile Load(string directory)
        {
            var path = Path.Combine(directory, ModelManifestFile.ChecksumFileName);
            var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (File.Exists(path))
            {
                foreach (var line in File.ReadLines(path))
                {
                    // "<64 hex><space><space or *><name>"
                    if (line.Length > 66 && line[64] == ' ' && line[65] is ' ' or '*' && !line.AsSpan(0, 64).ContainsAnyExcept(HexDigits))
                    {
                        entries[line[66..]] = line[..64].ToLowerInvariant();
                    }
                }
            }

            return new ChecksumFile(path, entries);
        }

        public string? Get(string name) => _entries.GetValueOrDefault(name);

        public void SetAndSave(string name, string sha256)
        {
            if (_entries.TryGetValue(name, out var current) && current == sha256)
            {
                return;
            }

            _entries[name] = sha256;
            Save();
        }

        public void RemoveAndSave(string name)
        {
            if (_entries.Remove(name))
            {
                Save();
            }
        }

        private void Save()
        {
            // A unique temp name: replicas sharing the folder may save at the same time; the rename keeps the file whole.
            var temporary = $"{_path}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temporary, string.Concat(_entries.Select(e => $"{e.Value}  {e.Key}\n")));
            File.Move(temporary, _path, overwrite: true);
        }

        private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Downloading {File} from {Url} ({TotalBytes} bytes; -1 = unknown)")]
        public static partial void DownloadStarting(ILogger logger, string file, string url, long totalBytes);

        [LoggerMessage(2, LogLevel.Information, "Downloading {File}: {Bytes} of {TotalBytes} bytes ({Percent} %; -1 = unknown)")]
        public static partial void Progress(ILogger logger, string file, long bytes, long totalBytes, long percent);

        [LoggerMessage(3, LogLevel.Information, "Downloaded {File}: {Bytes} bytes, sha256 {Sha256} verified against {Source}")]
        public static partial void Downloaded(ILogger logger, string file, long bytes, string sha256, string source);

        [LoggerMessage(4, LogLevel.Information, "Downloaded {File}: {Bytes} bytes, size verified; the server gives no sha256 for it (normal for small non-LFS files); sha256 {Sha256} recorded in SHA256SUMS")]
        public static partial void DownloadedSizeOnly(ILogger logger, string file, long bytes, string sha256);

        [LoggerMessage(5, LogLevel.Warning, "Downloaded {File}: {Bytes} bytes, but the server gave neither a sha256 nor a size, so it could not be verified; sha256 {Sha256} recorded in SHA256SUMS")]
        public static partial void DownloadedUnverified(ILogger logger, string file, long bytes, string sha256);

        [LoggerMessage(6, LogLevel.Warning, "Discarded the download of {File}: its sha256 {Actual} does not match {Expected} ({Source})")]
        public static partial void ChecksumMismatch(ILogger logger, string file, string expected, string actual, string source);

        [LoggerMessage(7, LogLevel.Warning, "Discarded the download of {File}: {Actual} bytes received, {Expected} expected")]
        public static partial void SizeMismatch(ILogger logger, string file, long expected, long actual);

        [LoggerMessage(8, LogLevel.Warning, "Could not download {File} from {Url}: HTTP {Status}")]
        public static partial void HttpStatus(ILogger logger, string file, string url, int status);

        [LoggerMessage(9, LogLevel.Warning, "The model hub {Endpoint} could not be reached for {Path}: {Reason}")]
        public static partial void HubUnreachable(ILogger logger, string endpoint, string path, string reason);

        [LoggerMessage(10, LogLevel.Warning, "{File}: {Reason}")]
        public static partial void FileFailed(ILogger logger, string file, string reason);

        [LoggerMessage(11, LogLevel.Warning, "Downloading model {Model} took longer than {Deadline}; giving up")]
        public static partial void DeadlineExceeded(ILogger logger, string model, TimeSpan deadline);

        [LoggerMessage(12, LogLevel.Warning, "Model {Model} ({Repo}@{Revision}) is not ready in {Directory}: missing or unverified {Missing}. {Feature} will be unavailable until these files are present; run models/download-models.sh (or download-models.ps1), or check access to {Endpoint}")]
        public static partial void ModelUnavailable(ILogger logger, string model, string repo, string revision, string directory, IReadOnlyList<string> missing, string feature, string endpoint);

        [LoggerMessage(13, LogLevel.Information, "Model {Model} is ready in {Directory} ({Count} files verified)")]
        public static partial void ModelReady(ILogger logger, string model, string directory, int count);

        [LoggerMessage(14, LogLevel.Debug, "{File} is present and its sha256 {Sha256} verified")]
        public static partial void LocalVerified(ILogger logger, string file, string sha256);

        [LoggerMessage(15, LogLevel.Warning, "{File} is present but {Reason}; deleting it and downloading it again")]
        public static partial void LocalMismatch(ILogger logger, string file, string reason);

        [LoggerMessage(16, LogLevel.Warning, "{File} is present but not verified ({Reason}); keeping it")]
        public static partial void KeptUnverified(ILogger logger, string file, string reason);

        [LoggerMessage(17, LogLevel.Warning, "Model hub endpoint '{Endpoint}' is not an absolute http(s) URL")]
        public static partial void InvalidEndpoint(ILogger logger, string endpoint);

        [LoggerMessage(18, LogLevel.Warning, "Model folder {Directory} cannot be used: {Reason}")]
        public static partial void FolderUnusable(ILogger logger, string directory, string reason);
    }
}
