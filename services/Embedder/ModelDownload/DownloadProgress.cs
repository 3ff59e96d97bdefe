using System.Diagnostics;

namespace AspireMmRag.Embedder.ModelDownload;

/// <summary>Logs download progress every 10 % or every 5 s, whichever comes first.</summary>
internal sealed class DownloadProgress(ILogger logger, string name, long? total)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

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
                ModelDownloaderLog.Progress(logger, name, bytes, t, percent);
            }

            return;
        }

        if (Stopwatch.GetElapsedTime(_lastLog, now) >= ProgressInterval)
        {
            _lastLog = now;
            ModelDownloaderLog.Progress(logger, name, bytes, total ?? -1, total is > 0 ? bytes * 100 / total.Value : -1);
        }
    }
}
