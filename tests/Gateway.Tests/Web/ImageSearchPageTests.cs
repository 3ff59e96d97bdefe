using AspireMmRag.Gateway.Tests.Infrastructure;
using AspireMmRag.Media;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AspireMmRag.Gateway.Tests.Web;

/// <summary>Search by image in a real browser: each captioned image of the fixture corpus, uploaded through the file picker,
/// comes back as the first result, with passages of its document.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ImageSearchPageTests(GatewayFixture fixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_uploaded_corpus_image_is_the_first_result_with_passages_of_its_document()
    {
        await using var gateway = WebGateway.Start(fixture.Settings());
        await using var page = await browser.NewPageAsync(gateway.BaseAddress, output);
        await page.OpenAsync();
        await page.TestId("tab-image").ClickAsync();
        await Expect(page.TestId("tab-image")).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.TestId("image-drop")).ToBeVisibleAsync();

        // Each in turn, so the first result has to change every time.
        foreach (var (document, image) in FixtureCorpus.Documents.SelectMany(d => d.Images.Select(i => (d, i))))
        {
            var bytes = FixtureCorpus.ImageBytes(image);
            await page.TestId("image-upload").SetInputFilesAsync(new FilePayload { Name = image.FileName, MimeType = "image/png", Buffer = bytes });
            var first = page.TestId("image-result").First;
            await Expect(first).ToHaveAttributeAsync("data-image-id", MediaReference.For(bytes), new() { Timeout = AskPage.AnswerTimeoutMs });
            await Expect(page.TestId("image-results")).ToContainTextAsync(image.Caption);
            await Expect(page.TestId("image-result-passage").First).ToBeVisibleAsync();
            output.WriteLine($"{image.FileName}: first result {MediaReference.For(bytes)[..12]}…, {await page.TestId("image-result").CountAsync()} results, " +
                $"{await page.TestId("image-result-passage").CountAsync()} passages ({document.Title})");
        }
        await page.ScreenshotAsync("image-search-results");
        Assert.Empty(page.Problems);
    }
}
