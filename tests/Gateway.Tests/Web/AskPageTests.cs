using System.Globalization;
using AspireMmRag.Gateway.Tests.Infrastructure;
using AspireMmRag.Media;
using AspireMmRag.TestModels;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AspireMmRag.Gateway.Tests.Web;

/// <summary>
/// The ask tab in a real browser (Debian's Chromium through Playwright) against the gateway on Kestrel, on the fixture corpus:
/// in retrieval-only mode the answer cites the labelled document and shows its sources and the image with its credits (also at
/// a phone's width and in the dark colour scheme); with LLamaSharp (stories260K) the answer arrives in several steps, and the
/// stop button aborts the request and with it the model's call.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AskPageTests(GatewayFixture fixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string FerryQuestion = "How do I take the ferry to the sea fortress?";
    private static readonly FixtureCorpus.Document Suomenlinna = FixtureCorpus.Documents.Single(d => d.Slug == "suomenlinna");
    private static readonly FixtureCorpus.Image Ferry = Suomenlinna.Images.Single();

    private Dictionary<string, string?> LlamaSharp(int maxOutputTokens) => fixture.Settings(
        ("Llm:Provider", "LlamaSharp"),
        ("Llm:ModelPath", TestAssets.TinyLlamaGguf),
        ("Llm:ContextSize", "4096"),
        ("Llm:MaxOutputTokens", maxOutputTokens.ToString(CultureInfo.InvariantCulture)));

    [Fact]
    public async Task In_retrieval_only_mode_the_answer_cites_the_labelled_document_lists_sources_and_shows_the_image_with_its_credits()
    {
        Assert.Contains((FerryQuestion, Suomenlinna.Slug), FixtureCorpus.CitedQuestions);
        await using var gateway = WebGateway.Start(fixture.Settings());
        await using var page = await browser.NewPageAsync(gateway.BaseAddress, output);
        await page.OpenAsync();
        await Expect(page.TestId("tab-ask")).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.TestId("models")).ToBeVisibleAsync();

        // Enter sends.
        await page.TestId("question").FillAsync(FerryQuestion);
        await page.TestId("question").PressAsync("Enter");
        await page.WaitForDoneAsync();

        await Expect(page.TestId("mode-badge")).ToContainTextAsync("retrieval only", new() { IgnoreCase = true });
        await Expect(page.TestId("answer")).Not.ToBeEmptyAsync();
        await Expect(page.TestId("timings")).ToBeVisibleAsync();

        // A citation chip for the labelled document, linking to its source, with a tooltip naming it.
        var chip = page.TestId("citation", "data-document-id", Suomenlinna.Id).First;
        await Expect(chip).ToBeVisibleAsync();
        Assert.Contains(Suomenlinna.Slug, await chip.GetAttributeAsync("href") ?? "", StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(await chip.GetAttributeAsync("data-number")), "the chip has no data-number");
        await chip.FocusAsync();
        await Expect(page.TestId("citation-tooltip").Filter(new() { Visible = true }).First).ToContainTextAsync(Suomenlinna.Title);

        // The source list: the labelled document first, the cited ones marked as used.
        var sources = page.TestId("source");
        await Expect(sources.First).ToHaveAttributeAsync("data-document-id", Suomenlinna.Id);
        await Expect(sources.First).ToHaveAttributeAsync("data-number", "1");
        await Expect(page.TestId("source", "data-used", "true").First).ToBeVisibleAsync();
        var chipNumber = await chip.GetAttributeAsync("data-number");
        await Expect(page.TestId("source", "data-number", chipNumber!)).ToHaveAttributeAsync("data-used", "true");

        // The ferry's image with its caption, attribution and licence, as a thumbnail that loaded.
        var imageId = MediaReference.For(FixtureCorpus.ImageBytes(Ferry));
        var image = page.TestId("image", "data-image-id", imageId);
        await Expect(image).ToBeVisibleAsync();
        await Expect(image.GetByTestId("image-caption")).ToContainTextAsync(Ferry.Caption);
        await Expect(image.GetByTestId("image-attribution")).ToContainTextAsync("Test Photographer");
        await Expect(image.GetByTestId("image-license")).ToContainTextAsync("CC BY-SA 4.0");
        var thumbnail = image.Locator("img").First;
        Assert.Contains($"/api/images/{imageId}?width=", await thumbnail.GetAttributeAsync("src") ?? "", StringComparison.Ordinal);
        await Expect(thumbnail).ToHaveJSPropertyAsync("complete", true);
        Assert.True(await thumbnail.EvaluateAsync<int>("img => img.naturalWidth") > 0, "the thumbnail did not load");
        await page.ScreenshotAsync("ask-retrieval-only-answer-sources-images");

        // Click enlarges it in a dialog; Esc closes it.
        await image.Locator("img").First.ClickAsync();
        await Expect(page.TestId("image-dialog")).ToBeVisibleAsync();
        await page.ScreenshotAsync("ask-image-dialog");
        await page.Page.Keyboard.PressAsync("Escape");
        await Expect(page.TestId("image-dialog")).ToBeHiddenAsync();

        // A phone's width: the same answer, nothing wider than the screen.
        await page.Page.SetViewportSizeAsync(390, 844);
        await Expect(page.TestId("answer")).ToBeVisibleAsync();
        var overflow = await page.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        await page.ScreenshotAsync("ask-phone-width");
        Assert.True(overflow <= 1, $"at 390 px the page is {overflow} px wider than the screen (horizontal scrolling)");

        // The dark colour scheme changes the page's colours.
        await page.Page.SetViewportSizeAsync(1280, 900);
        var light = await ColoursAsync(page);
        await page.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        var dark = await ColoursAsync(page);
        await page.ScreenshotAsync("ask-dark-colour-scheme");
        Assert.True(light != dark, $"prefers-color-scheme: dark changed none of the page's colours ({light})");
        Assert.Empty(page.Problems);
    }

    [Fact]
    public async Task With_the_language_model_the_answer_text_arrives_in_more_than_one_step()
    {
        await using var gateway = WebGateway.Start(LlamaSharp(maxOutputTokens: 200));
        await using var page = await browser.NewPageAsync(gateway.BaseAddress, output);
        await page.OpenAsync();
        await page.RecordStreamingSamplesAsync();

        await page.AskAsync(FerryQuestion);
        await page.WaitForDoneAsync();

        var samples = (await page.StreamingSamplesAsync()).Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        var final = await page.TestId("answer").TextContentAsync() ?? "";
        output.WriteLine($"{samples.Count} distinct texts while streaming; lengths {string.Join(", ", samples.Select(s => s.Length))}; final {final.Length}");
        var growth = AskPage.GrowthSteps(samples);
        Assert.True(growth >= 2, $"the answer grew {growth} time(s) while data-streaming=\"true\": [{string.Join(" | ", samples)}]");
        await Expect(page.TestId("mode-badge")).ToContainTextAsync("stories260K");
        await Expect(page.TestId("timings")).ToBeVisibleAsync();
        Assert.Empty(page.Problems);
    }

    [Fact]
    public async Task The_stop_button_aborts_a_streaming_answer_and_the_model_call_is_cancelled()
    {
        ObservedChatClient? observed = null;
        await using var gateway = WebGateway.Start(LlamaSharp(maxOutputTokens: 3000), ObservedChatClient.Install(c => observed = c));
        await using var page = await browser.NewPageAsync(gateway.BaseAddress, output);
        await page.OpenAsync();

        await page.RecordStreamingSamplesAsync();
        await page.AskAsync(FerryQuestion);
        var answer = page.TestId("answer");
        await Expect(answer).ToHaveAttributeAsync("data-streaming", "true", new() { Timeout = AskPage.AnswerTimeoutMs });
        // Stopped mid-answer: after the model's first words have appeared (not only a placeholder).
        await page.WaitForGrowthStepsAsync(3);
        await Expect(page.TestId("stop")).ToBeEnabledAsync();
        await page.TestId("stop").ClickAsync();

        await Expect(answer).ToHaveAttributeAsync("data-streaming", "false", new() { Timeout = 10_000 });
        Assert.NotEqual("true", await answer.GetAttributeAsync("data-done"));
        await Expect(page.TestId("stop")).ToBeDisabledAsync();
        Assert.NotNull(observed);
        var ended = await observed.Ended.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("cancelled", ended);
        Assert.True(observed.Updates is > 0 and < 3000, $"{observed.Updates} updates were generated");
        output.WriteLine($"stopped after {observed.Updates} model updates");
        await page.ScreenshotAsync("ask-stopped");
    }

    /// <summary>The computed colours of the root, the body and the question box.</summary>
    private static Task<string> ColoursAsync(WebPage page) => page.Page.EvaluateAsync<string>("""
        () => [document.documentElement, document.body, document.querySelector('[data-testid="question"]')]
          .filter(e => e)
          .map(e => { const s = getComputedStyle(e); return s.backgroundColor + '/' + s.color; })
          .join(' ')
        """);
}
