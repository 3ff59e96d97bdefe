using AspireMmRag.Gateway.Model;
using AspireMmRag.Messaging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Ingestion;

/// <summary>
/// Turns the body of <c>POST /api/ingest</c> into a <see cref="CrawlRequested"/>, or refuses it with the reason:
/// Wikipedia titles or <c>http(s)://{language}.wikipedia.org/wiki/…</c> URLs (at most <see cref="IngestionOptions.MaxTitles"/>,
/// each a valid MediaWiki title of at most 255 characters), or a folder written <c>root name[/sub-path]</c> that exists under
/// one of <see cref="IngestionOptions.FolderRoots"/> — no <c>..</c>, no absolute paths, no backslashes, no URLs.
/// </summary>
public sealed class IngestRequestParser(IOptions<IngestionOptions> options)
{
    public const int MaxTitleLength = 255;

    // The characters MediaWiki never allows in a title (besides control characters).
    private static readonly char[] ForbiddenTitleCharacters = ['|', '#', '<', '>', '[', ']', '{', '}'];

    /// <exception cref="InvalidIngestRequestException">The request is refused; the message says why.</exception>
    public CrawlRequested Parse(IngestRequest? request, Guid jobId)
    {
        if (request is null)
        {
            throw new InvalidIngestRequestException("The body must be a JSON object with \"wikipedia\" (a list of titles or URLs) or \"folder\".");
        }
        return (request.Wikipedia, request.Folder) switch
        {
            ({ } titles, null) => new CrawlRequested { RequestId = jobId, Source = DocumentSources.Wikipedia, Titles = ParseTitles(titles) },
            (null, { } folder) => new CrawlRequested { RequestId = jobId, Source = DocumentSources.Folder, Folder = ParseFolder(folder) },
            (null, null) => throw new InvalidIngestRequestException("Give \"wikipedia\" (a list of titles or URLs) or \"folder\"."),
            _ => throw new InvalidIngestRequestException("Give either \"wikipedia\" or \"folder\", not both."),
        };
    }

    private IReadOnlyList<string> ParseTitles(IReadOnlyList<string> items)
    {
        var settings = options.Value;
        if (items.Count == 0)
        {
            throw new InvalidIngestRequestException("\"wikipedia\" is empty: name at least one page.");
        }
        if (items.Count > settings.MaxTitles)
        {
            throw new InvalidIngestRequestException($"\"wikipedia\" names {items.Count} pages; at most {settings.MaxTitles} are taken per request.");
        }
        return items.Select(item => Title(item, settings.WikipediaLanguage)).Distinct(StringComparer.Ordinal).ToArray();
    }

    private static string Title(string? item, string language)
    {
        var text = item?.Trim() ?? "";
        if (text.Length == 0)
        {
            throw new InvalidIngestRequestException("A Wikipedia title is empty.");
        }
        if (text.Contains("://", StringComparison.Ordinal))
        {
            text = TitleOfUrl(text, language);
        }
        text = text.Replace('_', ' ').Trim();
        if (text.Length == 0 || text.Length > MaxTitleLength)
        {
            throw new InvalidIngestRequestException($"A Wikipedia title has 1 to {MaxTitleLength} characters ('{Shorten(text)}' has {text.Length}).");
        }
        if (text.IndexOfAny(ForbiddenTitleCharacters) >= 0 || text.Any(char.IsControl))
        {
            throw new InvalidIngestRequestException($"'{Shorten(text)}' is not a Wikipedia title: titles cannot contain {string.Join(" ", ForbiddenTitleCharacters)} or control characters.");
        }
        return text;
    }

    private static string TitleOfUrl(string text, string language)
    {
        var host = $"{language}.wikipedia.org";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw new InvalidIngestRequestException($"'{Shorten(text)}' is not a Wikipedia URL: only https://{host}/wiki/<Title> is accepted.");
        }
        if (!string.Equals(uri.Host, host, StringComparison.OrdinalIgnoreCase) && !string.Equals(uri.Host, $"{language}.m.wikipedia.org", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidIngestRequestException($"'{Shorten(text)}' is not on {host}: only https://{host}/wiki/<Title> is accepted.");
        }
        if (!uri.IsDefaultPort || uri.UserInfo.Length > 0 || !uri.AbsolutePath.StartsWith("/wiki/", StringComparison.Ordinal) || uri.Query.Length > 0)
        {
            throw new InvalidIngestRequestException($"'{Shorten(text)}' is not a page URL: only https://{host}/wiki/<Title> is accepted.");
        }
        return Uri.UnescapeDataString(uri.AbsolutePath["/wiki/".Length..]);
    }

    private string ParseFolder(string folder)
    {
        var text = folder.Trim();
        if (text.Length == 0)
        {
            throw new InvalidIngestRequestException("\"folder\" is empty: name a configured root, e.g. \"samples\" or \"samples/cities\".");
        }
        if (text.Contains("://", StringComparison.Ordinal) || text.Contains('\\') || text.Contains(':') || text.Any(char.IsControl)
            || Path.IsPathRooted(text) || text.Split('/').Any(segment => segment is ".."))
        {
            throw new InvalidIngestRequestException($"'{Shorten(text)}' is not a folder name: write a configured root's name and an optional sub-path, "
                + "e.g. \"samples/cities\" (no \"..\", no absolute paths, no URLs).");
        }
        var segments = text.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var roots = options.Value.EffectiveFolderRoots.Select(root => Path.TrimEndingDirectorySeparator(Path.GetFullPath(root))).ToArray();
        var root = roots.FirstOrDefault(r => string.Equals(Path.GetFileName(r), segments[0], StringComparison.Ordinal))
            ?? throw new InvalidIngestRequestException(roots.Length == 0
                ? "No folder roots are configured (Ingestion:FolderRoots): folders cannot be ingested."
                : $"'{segments[0]}' is not a configured folder root; the roots are: {string.Join(", ", roots.Select(Path.GetFileName))}.");
        var path = Path.GetFullPath(Path.Combine([root, .. segments[1..]]));
        if (path != root && !path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidIngestRequestException($"'{Shorten(text)}' lies outside the root '{segments[0]}'.");
        }
        if (!Directory.Exists(path))
        {
            throw new InvalidIngestRequestException($"There is no folder '{Shorten(text)}' under the root '{segments[0]}'.");
        }
        return path;
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
