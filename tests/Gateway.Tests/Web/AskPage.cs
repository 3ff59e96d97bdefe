using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AspireMmRag.Gateway.Tests.Web;

/// <summary>The ask tab, through the DOM contract (data-testids, roles, labels) only.</summary>
public static class AskPage
{
    /// <summary>How long an answer may take to finish (retrieval, and generation with the tiny model on a shared machine).</summary>
    public const float AnswerTimeoutMs = 60_000;

    /// <summary>Types <paramref name="question"/> and sends it with the ask button.</summary>
    public static async Task AskAsync(this WebPage page, string question)
    {
        await page.TestId("question").FillAsync(question);
        await page.TestId("ask").ClickAsync();
    }

    /// <summary>Waits for the answer's <c>done</c> event (<c>data-done="true"</c>, no longer streaming). On a page that asked
    /// before, reload it first: the previous answer's attributes would satisfy this at once.</summary>
    public static async Task WaitForDoneAsync(this WebPage page)
    {
        var answer = page.TestId("answer");
        await Expect(answer).ToHaveAttributeAsync("data-done", "true", new() { Timeout = AnswerTimeoutMs });
        await Expect(answer).ToHaveAttributeAsync("data-streaming", "false");
    }

    /// <summary>Starts recording the answer's text after every DOM change while it has <c>data-streaming="true"</c> (each
    /// distinct text once), into <c>window.answerSamples</c>: call before asking.</summary>
    public static Task RecordStreamingSamplesAsync(this WebPage page) => page.Page.EvaluateAsync("""
        () => {
          const samples = [];
          window.answerSamples = samples;
          const record = () => {
            const answer = document.querySelector('[data-testid="answer"]');
            if (answer && answer.getAttribute('data-streaming') === 'true') {
              const text = answer.textContent;
              if (samples[samples.length - 1] !== text) samples.push(text);
            }
          };
          new MutationObserver(record).observe(document.documentElement,
            { subtree: true, childList: true, characterData: true, attributes: true });
        }
        """);

    public static Task<string[]> StreamingSamplesAsync(this WebPage page) => page.Page.EvaluateAsync<string[]>("() => window.answerSamples");

    /// <summary>How many times the recorded text grew by appending (a non-empty text followed by a longer one that starts
    /// with it): streamed deltas, not a placeholder replaced by another.</summary>
    public static int GrowthSteps(IReadOnlyList<string> samples) =>
        Enumerable.Range(1, Math.Max(0, samples.Count - 1)).Count(i =>
            samples[i - 1].Trim().Length > 0 && samples[i].Length > samples[i - 1].Length
            && samples[i].StartsWith(samples[i - 1], StringComparison.Ordinal));

    /// <summary>Waits until the recorded answer text has grown by appending <paramref name="steps"/> times.</summary>
    public static Task WaitForGrowthStepsAsync(this WebPage page, int steps) => page.Page.WaitForFunctionAsync("""
        steps => {
          const s = window.answerSamples || [];
          let grown = 0;
          for (let i = 1; i < s.length; i++) {
            if (s[i - 1].trim().length > 0 && s[i].length > s[i - 1].length && s[i].startsWith(s[i - 1])) grown++;
          }
          return grown >= steps;
        }
        """, steps, new() { Timeout = AnswerTimeoutMs });

    /// <summary>The document ids the answer's sources, citation chips and images name.</summary>
    public static async Task<IReadOnlyList<string>> NamedDocumentsAsync(this WebPage page)
    {
        var ids = new List<string>();
        foreach (var testId in new[] { "source", "citation" })
        {
            foreach (var element in await page.TestId(testId).AllAsync())
            {
                ids.Add(await element.GetAttributeAsync("data-document-id") ?? "");
            }
        }
        return ids;
    }
}
