using System.Collections.Concurrent;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AspireMmRag.Gateway.Tests.Web;

/// <summary>One test's page (in a browser context of its own): what the page logged as errors, what it threw and the dialogs
/// it opened are kept for the assertions and the failure messages, and <see cref="ScreenshotAsync"/> saves what a user sees.</summary>
public sealed class WebPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ITestOutputHelper _output;
    private readonly ConcurrentQueue<string> _network = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentQueue<string> _dialogs = new();

    public WebPage(IBrowserContext context, IPage page, ITestOutputHelper output)
    {
        _context = context;
        _output = output;
        Page = page;
        Watch(page, _problems, _network, _dialogs);
    }

    /// <summary>Console errors (other than failed responses) and uncaught exceptions, in order.</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    /// <summary>alert/confirm/prompt dialogs the page opened (each dismissed at once).</summary>
    public IReadOnlyCollection<string> Dialogs => _dialogs;

    public IPage Page { get; }

    public ILocator TestId(string testId) => Page.GetByTestId(testId);

    /// <summary>Elements with <paramref name="testId"/> whose <paramref name="attribute"/> is <paramref name="value"/>.</summary>
    public ILocator TestId(string testId, string attribute, string value) =>
        Page.Locator($"[data-testid=\"{testId}\"][{attribute}=\"{Css(value)}\"]");

    /// <summary>Opens the page at <c>/</c> and waits until the ask tab is there.</summary>
    public async Task OpenAsync()
    {
        var response = await Page.GotoAsync("/");
        if (response is null || !response.Ok)
        {
            throw new InvalidOperationException($"GET / answered {response?.Status.ToString() ?? "nothing"}: the gateway does not serve the page.");
        }
        await Assertions.Expect(TestId("tab-ask")).ToBeVisibleAsync();
    }

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(Screenshots.Directory, $"{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        _output.WriteLine($"screenshot: {path}");
        return path;
    }

    /// <summary>The page's console errors, exceptions and dialogs, for failure messages.</summary>
    public string Diagnostics() =>
        $"page problems: [{string.Join(" | ", _problems)}]; failed responses: [{string.Join(" | ", _network)}]; dialogs: [{string.Join(" | ", _dialogs)}]";

    public async ValueTask DisposeAsync()
    {
        if (!_problems.IsEmpty || !_network.IsEmpty || !_dialogs.IsEmpty)
        {
            _output.WriteLine(Diagnostics());
        }
        await _context.CloseAsync();
    }

    private static void Watch(IPage page, ConcurrentQueue<string> problems, ConcurrentQueue<string> network, ConcurrentQueue<string> dialogs)
    {
        page.Console += (_, message) =>
        {
            // Chromium logs every 4xx/5xx response as a console error ("Failed to load resource"): the tests provoke some
            // (401 before the key, 503 from a gateway without a catalog), so those are kept apart, for the messages only.
            if (message.Type == "error")
            {
                (message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal) ? network : problems)
                    .Enqueue($"console: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => problems.Enqueue($"exception: {error}");
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Enqueue($"{dialog.Type}: {dialog.Message}");
            await dialog.DismissAsync();
        };
    }

    private static string Css(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}

/// <summary>Where the screenshots go: <c>TestResults/screenshots</c> of the test project (next to its .csproj, where
/// <c>dotnet test</c> puts its results), or <c>MMRAG_SCREENSHOTS</c> when set.</summary>
public static class Screenshots
{
    public static string Directory { get; } = Create();

    private static string Create()
    {
        var configured = Environment.GetEnvironmentVariable("MMRAG_SCREENSHOTS");
        var directory = !string.IsNullOrEmpty(configured) ? configured : Path.Combine(ProjectDirectory(), "TestResults", "screenshots");
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    private static string ProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Gateway.Tests.csproj")))
            {
                return directory.FullName;
            }
        }
        return AppContext.BaseDirectory;
    }
}
