using AspireMmRag.Crawler.Options;
using AspireMmRag.Crawler.Telemetry;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Safety;

/// <summary>
/// The configured folder roots (<c>Crawler:Folders:Roots</c>) and the checks that keep folder crawls inside them: no <c>..</c>
/// segments in a request, and the real path (symlinks and junctions resolved) of the folder, and of every file and folder
/// met while walking it, must lie under a root.
/// </summary>
public sealed class FolderRoots(IOptions<FolderOptions> options, CrawlerTelemetry telemetry)
{
    private readonly IReadOnlyList<string> _configured = options.Value.EffectiveRoots.Where(root => !string.IsNullOrWhiteSpace(root)).ToArray();

    /// <summary>The roots with their real paths, resolved now (a root may be created after start-up).</summary>
    public IReadOnlyList<FolderRoot> Resolve() =>
        _configured.Select(root =>
        {
            var full = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            var name = Path.GetFileName(full);
            return new FolderRoot(name.Length == 0 ? "root" : name, RealPath.Resolve(full));
        }).ToArray();

    /// <summary>The folder a request names: absolute, or relative to the first root. Refused when it has <c>..</c>
    /// segments, when its real path is outside every root, or when it does not exist.</summary>
    /// <exception cref="FolderAccessRefusedException">The folder may not be crawled.</exception>
    public (FolderRoot Root, string RealPath) ResolveRequested(string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            throw Refuse("A folder crawl request needs a folder.", "no-folder");
        }
        var roots = Resolve();
        if (roots.Count == 0)
        {
            throw Refuse($"Refused folder '{requested}': no folder roots are configured (Crawler:Folders:Roots).", "no-roots");
        }
        if (requested.Split('/', '\\').Any(segment => segment == ".."))
        {
            throw Refuse($"Refused folder '{requested}': '..' segments are not allowed.", "dot-dot");
        }

        var candidate = Path.IsPathRooted(requested) ? requested : Path.Combine(Path.GetFullPath(_configured[0]), requested);
        var real = RealPath.Resolve(candidate);
        var root = roots.FirstOrDefault(r => r.Contains(real))
            ?? throw Refuse($"Refused folder '{requested}': its real path '{real}' is outside the configured roots ({string.Join(", ", roots.Select(r => r.RealPath))}).", "outside-roots");
        if (!Directory.Exists(real))
        {
            throw Refuse($"Refused folder '{requested}': '{real}' is not an existing folder.", "not-found");
        }
        return (root, real);
    }

    private FolderAccessRefusedException Refuse(string message, string reason)
    {
        telemetry.RequestRefused(reason);
        return new FolderAccessRefusedException(message, reason);
    }
}
