using AspireMmRag.Crawler.Safety;
using AspireMmRag.Crawler.Telemetry;

namespace AspireMmRag.Crawler.Folders;

/// <summary>
/// Walks a folder breadth-first, checking the real path of every file and folder: a symlink or junction is followed only when
/// its final target lies under the root; one pointing outside is refused (logged, counted, listed). Hidden entries (".git")
/// are skipped, each real folder is visited once (no link loops), and the walk stops at a depth and a file count.
/// </summary>
public sealed partial class FolderWalker(CrawlerTelemetry telemetry, ILogger<FolderWalker> logger)
{
    public FolderWalk Walk(FolderRoot root, string startRealPath, int maxDepth, int maxFiles, CancellationToken cancellationToken)
    {
        var listings = new List<FolderListing>();
        var refusals = new List<FolderRefusal>();
        var visited = new HashSet<string>(StringComparer.Ordinal) { startRealPath };
        var pending = new Queue<(string RealPath, string RelativePath, int Depth)>();
        pending.Enqueue((startRealPath, root.RelativePathOf(startRealPath), 0));
        var fileCount = 0;

        while (pending.TryDequeue(out var folder))
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<FileSystemInfo> entries;
            try
            {
                entries = [.. new DirectoryInfo(folder.RealPath).EnumerateFileSystemInfos().OrderBy(entry => entry.Name, StringComparer.Ordinal)];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Refuse(refusals, folder.RelativePath, "unreadable", $"The folder '{folder.RelativePath}' could not be listed: {ex.Message}");
                continue;
            }

            var files = new List<FolderEntry>();
            foreach (var entry in entries)
            {
                if (entry.Name.StartsWith('.'))
                {
                    continue;
                }
                var relative = folder.RelativePath.Length == 0 ? entry.Name : $"{folder.RelativePath}/{entry.Name}";
                var real = Path.Combine(folder.RealPath, entry.Name);
                var isDirectory = entry is DirectoryInfo;

                if (entry.LinkTarget is not null || entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    FileSystemInfo? target;
                    try
                    {
                        target = entry.ResolveLinkTarget(returnFinalTarget: true);
                    }
                    catch (IOException)
                    {
                        target = null;
                    }
                    if (target is null || !target.Exists)
                    {
                        Refuse(refusals, relative, "dangling-link", $"'{relative}' is a link whose target does not exist.");
                        continue;
                    }
                    real = RealPath.Resolve(target.FullName);
                    if (!root.Contains(real))
                    {
                        Refuse(refusals, relative, "link-outside-root",
                            $"Refused '{relative}': it is a link to '{real}', outside the root '{root.RealPath}'.");
                        continue;
                    }
                    isDirectory = Directory.Exists(real);
                }
                else if (!root.Contains(real))
                {
                    // Cannot happen for a plain entry of a checked folder; kept so a bug never widens access.
                    Refuse(refusals, relative, "outside-root", $"Refused '{relative}': '{real}' is outside the root '{root.RealPath}'.");
                    continue;
                }

                if (isDirectory)
                {
                    if (folder.Depth < maxDepth && visited.Add(real))
                    {
                        pending.Enqueue((real, relative, folder.Depth + 1));
                    }
                    continue;
                }
                if (++fileCount > maxFiles)
                {
                    Refuse(refusals, relative, "max-files", $"Stopped at {maxFiles} files (Crawler:Folders:MaxFiles); '{relative}' and the rest were left out.");
                    listings.Add(new FolderListing(folder.RelativePath, folder.RealPath, files));
                    return new FolderWalk(listings, refusals);
                }
                files.Add(new FolderEntry(entry.Name, relative, real));
            }
            listings.Add(new FolderListing(folder.RelativePath, folder.RealPath, files));
        }
        return new FolderWalk(listings, refusals);
    }

    private void Refuse(List<FolderRefusal> refusals, string relativePath, string reason, string message)
    {
        if (reason is "link-outside-root" or "outside-root")
        {
            telemetry.RequestRefused(reason);
        }
        LogRefused(logger, relativePath, reason, message);
        refusals.Add(new FolderRefusal(relativePath, reason, message));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Left out {RelativePath} ({Reason}): {Detail}")]
    private static partial void LogRefused(ILogger logger, string relativePath, string reason, string detail);
}
