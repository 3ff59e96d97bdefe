using AspireMmRag.Gateway.Tests.Ingestion;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AspireMmRag.Gateway.Tests.Web;

/// <summary>
/// Ingesting and deleting through the page, on the whole ingestion path (a real broker, crawler, indexer and embedder, a SQLite
/// catalog: <see cref="WebIngestionStack"/>) with the gateway on Kestrel and an API key on writes. Each test ingests a folder
/// of its own (<see cref="FolderCorpus"/>) and opens its own browser context, so its session starts without the key.
/// </summary>
[Collection(IngestionCollection.Name)]
public sealed class IngestPageTests(IngestionBackbone backbone, WebIngestionStack stack, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<WebIngestionStack>, IClassFixture<BrowserFixture>, IAsyncLifetime
{
    /// <summary>A whole job of a few documents on the shared machine.</summary>
    private const float JobTimeoutMs = 60_000;
    private const string FerryQuestion = "When do the ferries leave for the Suomenlinna sea fortress?";

    public Task InitializeAsync() => stack.EnsureWebStartedAsync(backbone);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_first_ingest_asks_for_the_api_key_and_after_it_is_entered_the_ingest_goes_through_and_later_writes_do_not_ask()
    {
        var corpus = FolderCorpus.Write(stack.DocsRoot);
        await using var page = await browser.NewPageAsync(stack.Web.BaseAddress, output);
        await page.OpenAsync();
        await OpenIngestTabAsync(page);
        await page.TestId("ingest-folder").FillAsync(corpus.Folder);
        await page.TestId("ingest-submit").ClickAsync();

        var dialog = page.TestId("api-key-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await page.ScreenshotAsync("ingest-api-key-dialog");
        await page.TestId("api-key-input").FillAsync(IngestionStack.ApiKey);
        await page.TestId("api-key-save").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(page.TestId("ingest-summary")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = JobTimeoutMs });
        await AssertDocumentsDoneAsync(page, corpus);

        // Asked once: the next write in this session (the page reloaded) sends the key without asking.
        var second = FolderCorpus.Write(stack.DocsRoot);
        await page.Page.ReloadAsync();
        await OpenIngestTabAsync(page);
        await page.TestId("ingest-folder").FillAsync(second.Folder);
        await page.TestId("ingest-submit").ClickAsync();
        await Expect(page.TestId("ingest-summary")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = JobTimeoutMs });
        await Expect(dialog).ToBeHiddenAsync();
        await AssertDocumentsDoneAsync(page, second);
    }

    [Fact]
    public async Task A_refused_api_key_opens_the_dialog_again_and_the_right_one_then_goes_through()
    {
        var corpus = FolderCorpus.Write(stack.DocsRoot);
        await using var page = await browser.NewPageAsync(stack.Web.BaseAddress, output);
        await page.OpenAsync();
        await OpenIngestTabAsync(page);
        await page.TestId("ingest-folder").FillAsync(corpus.Folder);
        await page.TestId("ingest-submit").ClickAsync();

        var dialog = page.TestId("api-key-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await page.TestId("api-key-input").FillAsync("not-the-key");
        await page.TestId("api-key-save").ClickAsync();
        // The retried write answers 403: by the contract a 401/403 on a write opens the dialog.
        await Expect(dialog).ToBeVisibleAsync();
        await page.TestId("api-key-input").FillAsync(IngestionStack.ApiKey);
        await page.TestId("api-key-save").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(page.TestId("ingest-summary")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = JobTimeoutMs });
        await AssertDocumentsDoneAsync(page, corpus);
    }

    [Fact]
    public async Task An_ingested_folder_reaches_done_is_listed_and_cited_and_after_a_delete_it_is_gone_from_the_list_and_the_answers()
    {
        var corpus = FolderCorpus.Write(stack.DocsRoot);
        await using var page = await browser.NewPageAsync(stack.Web.BaseAddress, output);
        await page.OpenAsync();
        await OpenIngestTabAsync(page);
        await page.TestId("ingest-folder").FillAsync(corpus.Folder);
        await page.TestId("ingest-submit").ClickAsync();
        await EnterApiKeyWhenAskedAsync(page, page.TestId("ingest-summary"));

        await Expect(page.TestId("ingest-summary")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = JobTimeoutMs });
        await AssertDocumentsDoneAsync(page, corpus);
        await Expect(page.TestId("ingest-summary")).Not.ToBeEmptyAsync();
        output.WriteLine($"summary: {await page.TestId("ingest-summary").InnerTextAsync()}");
        await page.ScreenshotAsync("ingest-progress-done");

        // The documents tab lists all three.
        await page.TestId("tab-documents").ClickAsync();
        await Expect(page.TestId("tab-documents")).ToHaveAttributeAsync("aria-selected", "true");
        foreach (var (file, title) in corpus.Documents)
        {
            var row = page.TestId("document", "data-document-id", corpus.DocumentId(file));
            await Expect(row).ToBeVisibleAsync();
            await Expect(row).ToContainTextAsync(title);
        }
        await page.ScreenshotAsync("documents-list");

        // Before the delete, an answer about the ferries names the harbour guide.
        await page.OpenAsync();
        await page.AskAsync(FerryQuestion);
        await page.WaitForDoneAsync();
        Assert.Contains(corpus.HarbourId, await page.NamedDocumentsAsync());

        // Delete it: confirm, and the row goes once the catalog no longer lists it.
        await page.TestId("tab-documents").ClickAsync();
        var harbour = page.TestId("document", "data-document-id", corpus.HarbourId);
        await harbour.GetByTestId("delete-document").ClickAsync();
        await Expect(page.TestId("confirm-dialog")).ToBeVisibleAsync();
        await page.TestId("confirm-yes").ClickAsync();
        await Expect(page.TestId("confirm-dialog")).ToBeHiddenAsync();
        await Expect(page.TestId("api-key-dialog")).ToBeHiddenAsync();
        await Expect(harbour).ToHaveCountAsync(0, new() { Timeout = JobTimeoutMs });
        await Expect(page.TestId("document", "data-document-id", corpus.DocumentId("market.md"))).ToBeVisibleAsync();
        await page.ScreenshotAsync("documents-after-delete");

        // And from the answers: asked again (a fresh page each time) until the store no longer has it, within the bound.
        var deadline = DateTime.UtcNow.AddSeconds(JobTimeoutMs / 1000);
        IReadOnlyList<string> named;
        while (true)
        {
            await page.OpenAsync();
            await page.AskAsync(FerryQuestion);
            await page.WaitForDoneAsync();
            named = await page.NamedDocumentsAsync();
            if (!named.Contains(corpus.HarbourId))
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"answers still name the deleted {corpus.HarbourId}: [{string.Join(", ", named)}]");
        }
    }

    private static async Task OpenIngestTabAsync(WebPage page)
    {
        await page.TestId("tab-ingest").ClickAsync();
        await Expect(page.TestId("tab-ingest")).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.TestId("ingest-folder")).ToBeVisibleAsync();
    }

    /// <summary>Waits for the API key dialog or <paramref name="otherwise"/>; enters the key in the first case.</summary>
    private static async Task EnterApiKeyWhenAskedAsync(WebPage page, ILocator otherwise)
    {
        var dialog = page.TestId("api-key-dialog");
        await Expect(dialog.Or(otherwise).Filter(new() { Visible = true }).First).ToBeVisibleAsync(new() { Timeout = JobTimeoutMs });
        if (await dialog.IsVisibleAsync())
        {
            await page.TestId("api-key-input").FillAsync(IngestionStack.ApiKey);
            await page.TestId("api-key-save").ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
        }
    }

    /// <summary>Every document of <paramref name="corpus"/> is in the progress list and done, and no other is.</summary>
    private async Task AssertDocumentsDoneAsync(WebPage page, FolderCorpus corpus)
    {
        var documents = page.TestId("ingest-document");
        await Expect(documents).ToHaveCountAsync(corpus.Documents.Count);
        foreach (var id in corpus.DocumentIds)
        {
            await Expect(page.TestId("ingest-document", "data-document-id", id)).ToHaveAttributeAsync("data-state", "done");
        }
        await Expect(page.TestId("ingest-error")).ToHaveCountAsync(0);
        output.WriteLine($"{corpus.Folder}: {corpus.Documents.Count} documents done");
    }
}
