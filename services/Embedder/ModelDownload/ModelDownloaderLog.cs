namespace AspireMmRag.Embedder.ModelDownload;

/// <summary>Source-generated log messages of <see cref="ModelDownloader"/> and its helpers.</summary>
internal static partial class ModelDownloaderLog
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
