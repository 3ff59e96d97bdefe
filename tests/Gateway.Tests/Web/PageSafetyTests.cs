using AspireMmRag.Gateway.Tests.Fakes;
using AspireMmRag.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AspireMmRag.Gateway.Tests.Web;

/// <summary>What goes wrong is shown in words: a refused question's problem detail in the page's alert; and what a model writes
/// is text, never HTML the page runs.</summary>
[Collection(GatewayCollection.Name)]
public sealed class PageSafetyTests(GatewayFixture fixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const int MaxQuestionLength = 50;

    [Fact]
    public async Task An_empty_and_a_too_long_question_show_a_readable_error()
    {
        await using var gateway = WebGateway.Start(fixture.Settings(("Gateway:MaxQuestionLength", MaxQuestionLength.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        await using var page = await browser.NewPageAsync(gateway.BaseAddress, output);
        await page.OpenAsync();

        await page.AskAsync("");
        var error = page.TestId("error");
        await Expect(error).ToBeVisibleAsync(new() { Timeout = AskPage.AnswerTimeoutMs });
        await Expect(error).ToHaveAttributeAsync("role", "alert");
        await Expect(page.Page.GetByRole(AriaRole.Alert).Filter(new() { Visible = true })).ToHaveCountAsync(1);
        var empty = AssertReadable(await error.InnerTextAsync());
        output.WriteLine($"empty question: {empty}");
        await page.ScreenshotAsync("error-empty-question");

        var tooLong = string.Join(" ", Enumerable.Repeat("Which cathedral stands on Senate Square?", 3));
        Assert.True(tooLong.Length > MaxQuestionLength);
        await page.AskAsync(tooLong);
        await Expect(error).ToContainTextAsync(MaxQuestionLength.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = AskPage.AnswerTimeoutMs });
        var longText = AssertReadable(await error.InnerTextAsync());
        output.WriteLine($"too long question: {longText}");
        await page.ScreenshotAsync("error-too-long-question");
    }

    [Fact]
    public async Task Html_in_a_model_answer_is_shown_as_text_and_never_runs()
    {
        // Split across deltas as a model would stream it, the tags broken in the middle.
        const string script = "<script>window.xssScriptRan = 1; alert('script')</script>";
        const string img = "<img src=x onerror=\"window.xssImageRan = 1; alert('img')\">";
        var chunks = new[]
        {
            "Ferries leave the Market Square [1]. ", "<scr", "ipt>window.xssScriptRan = 1; alert('script')</sc", "ript>",
            " and ", "<img src=x oner", "ror=\"window.xssImageRan = 1; alert('img')\">", " and [a link](javascript:window.xssLinkRan=1) end.",
        };
        Assert.Equal(script + " and " + img, string.Concat(chunks[1..7]));
        var scripted = new ScriptedChatClient(chunks);
        await using var gateway = WebGateway.Start(fixture.Settings(), services => services.AddSingleton<IChatClient>(scripted));
        await using var page = await browser.NewPageAsync(gateway.BaseAddress, output);
        await page.OpenAsync();

        await page.AskAsync("How do I take the ferry to the sea fortress?");
        await page.WaitForDoneAsync();
        Assert.Single(scripted.Calls);

        var answer = page.TestId("answer");
        await Expect(answer).ToContainTextAsync(script);
        await Expect(answer).ToContainTextAsync(img);
        await Expect(answer.Locator("script")).ToHaveCountAsync(0);
        await Expect(answer.Locator("img")).ToHaveCountAsync(0);
        foreach (var link in await answer.Locator("a").AllAsync())
        {
            var href = await link.GetAttributeAsync("href") ?? "";
            Assert.False(href.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase), $"the answer links to {href}");
        }
        // Had anything run, it would have set a flag or opened a dialog by now: the answer is complete and rendered.
        var ran = await page.Page.EvaluateAsync<bool>("() => 'xssScriptRan' in window || 'xssImageRan' in window || 'xssLinkRan' in window");
        Assert.False(ran, "the model's HTML ran in the page");
        Assert.Empty(page.Dialogs);
        await page.ScreenshotAsync("ask-model-html-shown-as-text");
    }

    /// <summary>Words, not a blank, JSON or a status code alone.</summary>
    private static string AssertReadable(string text)
    {
        var trimmed = text.Trim();
        Assert.True(trimmed.Length >= 10, $"the error says only \"{trimmed}\"");
        Assert.False(trimmed.StartsWith('{') || trimmed.Contains("\"status\":", StringComparison.Ordinal), $"the error is raw JSON: {trimmed}");
        Assert.Contains(' ', trimmed);
        return trimmed;
    }
}
