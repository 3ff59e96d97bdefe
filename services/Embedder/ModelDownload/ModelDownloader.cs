using System.Buffers;
using System.Security.Cryptography;

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
public sealed class ModelDownloader(HttpClient http, ILogger<ModelDownloader> logger)
{
    /// <summary>Overall time allowed by the overload without a deadline.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(30);

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
            ModelDownloaderLog.InvalidEndpoint(logger, hubEndpoint ?? "");
            ModelDownloaderLog.ModelUnavailable(logger, model.Id, model.Repo, model.Revision, targetDirectory, allNames, model.Feature, hubEndpoint ?? "");
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
            ModelDownloaderLog.FolderUnusable(logger, targetDirectory, ex.Message);
            ModelDownloaderLog.ModelUnavailable(logger, model.Id, model.Repo, model.Revision, targetDirectory, allNames, model.Feature, endpoint.ToString());
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
                ModelDownloaderLog.DeadlineExceeded(logger, model.Id, deadline);
                missing.AddRange(model.Files.Skip(i).Select(f => f.Name).Where(n => !File.Exists(Path.Combine(targetDirectory, n))));
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !token.IsCancellationRequested))
            {
                // Connection failures and HttpClient.Timeout (or a stalled read): stop asking the Hub for the rest.
                ModelDownloaderLog.HubUnreachable(logger, endpoint.ToString(), file.Path, ex.Message);
                online = false;
                KeepOrMiss(file, path, missing, "the Hub could not be asked for its checksum");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                ModelDownloaderLog.FileFailed(logger, file.Name, ex.Message);
                KeepOrMiss(file, path, missing, ex.Message);
            }

            // An I/O error raised by a cancelled read must not turn a cancellation into a plain "false".
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (missing.Count > 0)
        {
            ModelDownloaderLog.ModelUnavailable(logger, model.Id, model.Repo, model.Revision, targetDirectory, missing, model.Feature, endpoint.ToString());
            return false;
        }

        ModelDownloaderLog.ModelReady(logger, model.Id, targetDirectory, model.Files.Count);
        return true;
    }

    /// <summary>After a failure: a file at its final name was verified earlier or put there by a user, so it stays.</summary>
    private void KeepOrMiss(ModelManifestFile file, string path, List<string> missing, string reason)
    {
        if (File.Exists(path))
        {
            ModelDownloaderLog.KeptUnverified(logger, file.Name, reason);
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
            ModelDownloaderLog.KeptUnverified(logger, file.Name, "no recorded checksum and the Hub is out of reach");
            return true;
        }

        var actual = await HashFileAsync(path, token).ConfigureAwait(false);
        if (known is not null)
        {
            if (actual == known)
            {
                sums.SetAndSave(file.Name, actual);
                ModelDownloaderLog.LocalVerified(logger, file.Name, actual);
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
                ModelDownloaderLog.LocalVerified(logger, file.Name, actual);
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
                ModelDownloaderLog.LocalVerified(logger, file.Name, actual);
                return true;
            }

            return Discard(sums, path, file, $"size {length} differs from the Hub's {size}");
        }

        ModelDownloaderLog.KeptUnverified(logger, file.Name, "the Hub gives neither a sha256 nor a size for it");
        return true;
    }

    private bool Discard(ChecksumFile sums, string path, ModelManifestFile file, string reason)
    {
        ModelDownloaderLog.LocalMismatch(logger, file.Name, reason);
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
            ModelDownloaderLog.HttpStatus(logger, file.Name, url.ToString(), (int)response.StatusCode);
            return false;
        }

        var expectedSha = file.Sha256 ?? hubResponse.LinkedSha256;
        var source = file.Sha256 is not null ? "pinned in models.json" : "X-Linked-Etag";
        long? expectedSize = hubResponse.LinkedSize ?? response.Content.Headers.ContentLength;
        ModelDownloaderLog.DownloadStarting(logger, file.Name, url.ToString(), expectedSize ?? -1);

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
                ModelDownloaderLog.SizeMismatch(logger, file.Name, size, length);
                return false;
            }

            if (expectedSha is not null && actual != expectedSha)
            {
                ModelDownloaderLog.ChecksumMismatch(logger, file.Name, expectedSha, actual, source);
                return false;
            }

            File.Move(temporary, path, overwrite: true);
            sums.SetAndSave(file.Name, actual);
            if (expectedSha is not null)
            {
                ModelDownloaderLog.Downloaded(logger, file.Name, length, actual, source);
            }
            else if (expectedSize is not null)
            {
                ModelDownloaderLog.DownloadedSizeOnly(logger, file.Name, length, actual);
            }
            else
            {
                ModelDownloaderLog.DownloadedUnverified(logger, file.Name, length, actual);
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
            ModelDownloaderLog.FileFailed(logger, path, ex.Message);
        }
    }
}
