using AspireMmRag.Crawler.Content;
using AspireMmRag.Crawler.Options;
using AspireMmRag.Crawler.Safety;
using AspireMmRag.Crawler.Telemetry;
using AspireMmRag.Media;
using AspireMmRag.Messaging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Folders;

/// <summary>
/// Crawls a folder under a configured root: every .md/.markdown, .txt, .html/.htm and .pdf becomes a document; the
/// .jpg/.jpeg/.png/.webp files beside it are stored in the media store and attached:
/// <list type="bullet">
/// <item>an image a document references (<c>![alt](file)</c>, <c>&lt;img src alt&gt;</c>, same folder) belongs to that document,
/// captioned by the alt text (else its sidecar's caption, else its file name), in the section where the document first
/// references it (<see cref="DocumentImage.Section"/>; "" in the lead section);</item>
/// <item>images of a folder that no document references go to one per-folder pseudo document
/// (<c>folder:{root}/{folder}/</c>, no sections) so each is indexed once, captioned by sidecar or file name, with no section.</item>
/// </list>
/// Licence, artist and attribution come from an optional sidecar (<see cref="ImageSidecar"/>), else "".
/// </summary>
public sealed partial class FolderCrawler(
    FolderRoots roots,
    FolderWalker walker,
    IEnumerable<IDocumentReader> readers,
    IMediaStore media,
    IOptions<FolderOptions> options,
    CrawlerTelemetry telemetry,
    ILogger<FolderCrawler> logger)
{
    private readonly FolderOptions _options = options.Value;
    private readonly Dictionary<string, IDocumentReader> _readers = readers
        .SelectMany(reader => reader.Extensions.Select(extension => (extension, reader)))
        .ToDictionary(pair => pair.extension, pair => pair.reader, StringComparer.OrdinalIgnoreCase);

    /// <summary>Crawls <paramref name="folder"/> (absolute, or relative to the first root) and hands each document to
    /// <paramref name="publish"/> as soon as it is ready.</summary>
    /// <exception cref="FolderAccessRefusedException">The folder is outside the roots, has '..' segments or does not exist.</exception>
    public async Task<FolderCrawlResult> CrawlAsync(string? folder, Guid? requestId, Func<DocumentCrawled, CancellationToken, Task> publish,
        CancellationToken cancellationToken)
    {
        var (root, realPath) = roots.ResolveRequested(folder);
        using var activity = CrawlerTelemetry.ActivitySource.StartActivity("crawl folder");
        activity?.SetTag("crawler.source", DocumentSources.Folder);
        activity?.SetTag("crawler.folder", FolderDocumentIds.ForFolderImages(root.Name, root.RelativePathOf(realPath)));

        var walk = walker.Walk(root, realPath, _options.MaxDepth, _options.MaxFiles, cancellationToken);
        var refusals = new List<FolderRefusal>(walk.Refusals);
        var published = 0;
        foreach (var listing in walk.Listings)
        {
            published += await CrawlListingAsync(root, listing, requestId, publish, refusals, cancellationToken);
        }
        activity?.SetTag("crawler.documents", published);
        activity?.SetTag("crawler.refused", refusals.Count);
        LogFolderCrawled(logger, folder ?? "", published, refusals.Count);
        return new FolderCrawlResult(published, refusals);
    }

    private async Task<int> CrawlListingAsync(FolderRoot root, FolderListing listing, Guid? requestId,
        Func<DocumentCrawled, CancellationToken, Task> publish, List<FolderRefusal> refusals, CancellationToken cancellationToken)
    {
        var byName = listing.Files.ToDictionary(file => file.Name, StringComparer.Ordinal);
        var imageFiles = listing.Files.Where(file => ImageFormat.Extensions.Contains(Path.GetExtension(file.Name))).ToArray();
        var images = new FolderImages(this, byName, refusals);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var published = 0;

        foreach (var file in listing.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_readers.TryGetValue(Path.GetExtension(file.Name), out var reader) || ReadDocument(root, file, reader, refusals) is not { } parsed)
            {
                continue;
            }

            var documentImages = new List<DocumentImage>();
            foreach (var reference in parsed.Images)
            {
                if (ResolveReference(reference.Source, byName) is not { } imageFile || !ImageFormat.Extensions.Contains(Path.GetExtension(imageFile.Name)))
                {
                    continue;
                }
                referenced.Add(imageFile.Name);
                if (await images.GetAsync(imageFile, cancellationToken) is { } stored && documentImages.All(image => image.SourceUrl != stored.Image.SourceUrl))
                {
                    documentImages.Add(stored.Image with
                    {
                        Caption = FirstNonEmpty(reference.Caption, stored.Sidecar?.Caption, ImageCaptions.FromFileName(imageFile.Name)),
                        Section = reference.Section,
                    });
                }
            }

            var contentHash = ContentHasher.Compute(parsed.Sections, documentImages);
            await publish(new DocumentCrawled
            {
                DocumentId = FolderDocumentIds.ForFile(root.Name, file.RelativePath),
                Source = DocumentSources.Folder,
                Title = parsed.Title,
                Url = new Uri(file.RealPath).AbsoluteUri,
                Revision = contentHash, // the content, not the file's time: touching a file changes nothing
                ContentHash = contentHash,
                Sections = parsed.Sections,
                Images = documentImages,
                RequestId = requestId,
            }, cancellationToken);
            published++;
        }

        var unreferenced = new List<(FolderEntry File, DocumentImage Image)>();
        foreach (var file in imageFiles.Where(file => !referenced.Contains(file.Name)))
        {
            if (await images.GetAsync(file, cancellationToken) is { } stored)
            {
                unreferenced.Add((file, stored.Image with { Caption = FirstNonEmpty(stored.Sidecar?.Caption, ImageCaptions.FromFileName(file.Name)) }));
            }
        }
        if (unreferenced.Count > 0)
        {
            var folderImages = unreferenced.Select(pair => pair.Image).ToArray();
            var contentHash = ContentHasher.Compute([], folderImages);
            var folderPath = listing.RealPath;
            await publish(new DocumentCrawled
            {
                DocumentId = FolderDocumentIds.ForFolderImages(root.Name, listing.RelativePath),
                Source = DocumentSources.Folder,
                Title = listing.RelativePath.Length == 0 ? root.Name : listing.RelativePath.Split('/')[^1],
                Url = new Uri(folderPath.EndsWith(Path.DirectorySeparatorChar) ? folderPath : folderPath + Path.DirectorySeparatorChar).AbsoluteUri,
                Revision = contentHash,
                ContentHash = contentHash,
                Images = folderImages,
                RequestId = requestId,
            }, cancellationToken);
            published++;
        }
        return published;
    }

    private ParsedDocument? ReadDocument(FolderRoot root, FolderEntry file, IDocumentReader reader, List<FolderRefusal> refusals)
    {
        var documentId = FolderDocumentIds.ForFile(root.Name, file.RelativePath);
        try
        {
            var length = new FileInfo(file.RealPath).Length;
            if (length > _options.MaxDocumentBytes)
            {
                return LeaveOut(refusals, file, documentId, "too-large", $"'{file.RelativePath}' is {length:N0} bytes, over Crawler:Folders:MaxDocumentBytes ({_options.MaxDocumentBytes:N0}).");
            }
            return reader.Read(file.Name, File.ReadAllBytes(file.RealPath));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return LeaveOut(refusals, file, documentId, "unreadable", $"'{file.RelativePath}' could not be read: {ex.Message}");
        }
    }

    /// <summary>The file in the same folder an image reference points to, or null (remote, data:, another folder, missing).</summary>
    private static FolderEntry? ResolveReference(string source, IReadOnlyDictionary<string, FolderEntry> byName)
    {
        if (source.Contains("://", StringComparison.Ordinal) || source.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || source.StartsWith("//", StringComparison.Ordinal))
        {
            return null;
        }
        var path = source.Split('?', '#')[0];
        try
        {
            path = Uri.UnescapeDataString(path);
        }
        catch (UriFormatException)
        {
            return null;
        }
        var segments = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(segment => segment != ".").ToArray();
        if (segments.Length != 1)
        {
            return null;
        }
        return byName.TryGetValue(segments[0], out var exact) ? exact
            : byName.Values.FirstOrDefault(file => file.Name.Equals(segments[0], StringComparison.OrdinalIgnoreCase));
    }

    private async Task<StoredImage?> StoreImageAsync(FolderEntry file, IReadOnlyDictionary<string, FolderEntry> byName, List<FolderRefusal> refusals,
        CancellationToken cancellationToken)
    {
        using var activity = CrawlerTelemetry.ActivitySource.StartActivity("store image");
        activity?.SetTag("crawler.source", DocumentSources.Folder);
        activity?.SetTag("crawler.image.path", file.RelativePath);
        try
        {
            var length = new FileInfo(file.RealPath).Length;
            if (length > _options.MaxImageBytes)
            {
                telemetry.ImageSkipped(DocumentSources.Folder, "too-large");
                return LeaveOut<StoredImage>(refusals, file, "too-large", $"'{file.RelativePath}' is {length:N0} bytes, over Crawler:Folders:MaxImageBytes ({_options.MaxImageBytes:N0}).");
            }
            var bytes = await File.ReadAllBytesAsync(file.RealPath, cancellationToken);
            if (ImageFormat.Detect(bytes) is not { } format)
            {
                telemetry.ImageSkipped(DocumentSources.Folder, "not-an-image");
                return LeaveOut<StoredImage>(refusals, file, "not-an-image", $"'{file.RelativePath}' is not a JPEG, PNG or WebP image.");
            }
            var mediaRef = await media.PutAsync(bytes, cancellationToken);
            telemetry.ImageStored(DocumentSources.Folder);
            activity?.SetTag("crawler.media_ref", mediaRef);

            var sidecar = ReadSidecar(file, byName, refusals);
            return new StoredImage(new DocumentImage
            {
                MediaRef = mediaRef,
                SourceUrl = new Uri(file.RealPath).AbsoluteUri,
                MimeType = format.MimeType,
                Width = format.Width,
                Height = format.Height,
                License = sidecar?.License ?? "",
                Artist = sidecar?.Artist ?? "",
                Attribution = sidecar?.Attribution ?? "",
                DescriptionUrl = sidecar?.DescriptionUrl ?? "",
            }, sidecar);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            telemetry.ImageSkipped(DocumentSources.Folder, "unreadable");
            return LeaveOut<StoredImage>(refusals, file, "unreadable", $"'{file.RelativePath}' could not be read: {ex.Message}");
        }
    }

    private ImageSidecar? ReadSidecar(FolderEntry image, IReadOnlyDictionary<string, FolderEntry> byName, List<FolderRefusal> refusals)
    {
        if (!byName.TryGetValue(image.Name + ImageSidecar.Suffix, out var sidecar))
        {
            return null;
        }
        try
        {
            return new FileInfo(sidecar.RealPath).Length > ImageSidecar.MaxBytes
                ? LeaveOut<ImageSidecar>(refusals, sidecar, "too-large", $"The sidecar '{sidecar.RelativePath}' is over {ImageSidecar.MaxBytes:N0} bytes.")
                : ImageSidecar.Parse(File.ReadAllBytes(sidecar.RealPath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return LeaveOut<ImageSidecar>(refusals, sidecar, "unreadable", $"The sidecar '{sidecar.RelativePath}' could not be read: {ex.Message}");
        }
    }

    private ParsedDocument? LeaveOut(List<FolderRefusal> refusals, FolderEntry file, string documentId, string reason, string message) =>
        LeaveOut<ParsedDocument>(refusals, file, reason, message, documentId);

    private T? LeaveOut<T>(List<FolderRefusal> refusals, FolderEntry file, string reason, string message, string? documentId = null) where T : class
    {
        LogLeftOut(logger, file.RelativePath, reason, message);
        refusals.Add(new FolderRefusal(file.RelativePath, reason, message, documentId));
        return null;
    }

    private static string FirstNonEmpty(params string?[] values) => values.FirstOrDefault(value => !string.IsNullOrWhiteSpace(value))?.Trim() ?? "";

    private sealed record StoredImage(DocumentImage Image, ImageSidecar? Sidecar);

    /// <summary>The images of one folder, each read and stored once however many documents reference it.</summary>
    private sealed class FolderImages(FolderCrawler crawler, IReadOnlyDictionary<string, FolderEntry> byName, List<FolderRefusal> refusals)
    {
        private readonly Dictionary<string, StoredImage?> _stored = new(StringComparer.Ordinal);

        public async Task<StoredImage?> GetAsync(FolderEntry file, CancellationToken cancellationToken)
        {
            if (!_stored.TryGetValue(file.Name, out var stored))
            {
                stored = await crawler.StoreImageAsync(file, byName, refusals, cancellationToken);
                _stored[file.Name] = stored;
            }
            return stored;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Crawled folder '{Folder}': {Documents} documents published, {Refused} files left out")]
    private static partial void LogFolderCrawled(ILogger logger, string folder, int documents, int refused);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Left out {RelativePath} ({Reason}): {Detail}")]
    private static partial void LogLeftOut(ILogger logger, string relativePath, string reason, string detail);
}
