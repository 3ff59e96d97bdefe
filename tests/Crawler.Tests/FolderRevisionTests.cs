using AspireMmRag.Crawler.Folders;
using AspireMmRag.Messaging;

namespace AspireMmRag.Crawler.Tests;

/// <summary>A folder document's revision is its content hash: touching a file keeps it, changing the bytes changes it.</summary>
public sealed class FolderRevisionTests : IDisposable
{
    private readonly FolderFixture _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Touching_files_keeps_every_revision_and_changing_a_file_changes_only_its_own()
    {
        await using var services = CrawlerServices.Create(_folder.Settings());
        var before = await CrawlAsync(services);

        foreach (var file in Directory.EnumerateFiles(_folder.Root))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(1));
        }
        var touched = await CrawlAsync(services);

        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), touched.Keys.Order(StringComparer.Ordinal));
        Assert.All(before, pair => Assert.Equal(pair.Value.Revision, touched[pair.Key].Revision));

        await File.AppendAllTextAsync(Path.Combine(_folder.Root, "notes.txt"), "\nPack gloves too.");
        var changed = await CrawlAsync(services);

        // notes.txt and inside-link.txt (a symbolic link to it) changed; nothing else did.
        Assert.Equal(["folder:docs/inside-link.txt", "folder:docs/notes.txt"],
            before.Where(pair => pair.Value.Revision != changed[pair.Key].Revision).Select(pair => pair.Key).Order(StringComparer.Ordinal));
        Assert.All(changed.Values, document => Assert.Equal(document.ContentHash, document.Revision));
    }

    private async Task<Dictionary<string, DocumentCrawled>> CrawlAsync(CrawlerServices services)
    {
        var documents = new Dictionary<string, DocumentCrawled>();
        await services.Get<FolderCrawler>().CrawlAsync(_folder.Root, null, (document, _) =>
        {
            documents.Add(document.DocumentId, document);
            return Task.CompletedTask;
        }, CancellationToken.None);
        return documents;
    }
}
