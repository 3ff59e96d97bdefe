using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AspireMmRag.Gateway.Tests.Web;

/// <summary>
/// One headless Chromium for a test class (a class fixture): Debian's <c>/usr/bin/chromium</c> driven by Playwright through
/// <c>ExecutablePath</c> — nothing is downloaded, and <c>playwright install</c> is never run. A missing Chromium fails the
/// tests, on CI and off it. Each test opens pages of its own in a new browser context (<see cref="NewPageAsync"/>), so cookies
/// and sessionStorage (the page's API key) start empty for every test.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>This machine's flags (see the env notes): without the networking ones Chromium tries Google's hosts at every
    /// start, and the closed network refuses them. Playwright adds <c>--headless</c> and a new empty user data directory
    /// itself (it refuses a <c>--user-data-dir</c> argument for a non-persistent launch).</summary>
    public static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The browser tests need Debian's Chromium at {ChromiumPath}: apt-get install chromium (.ci/run installs it). " +
                "Never `playwright install`: the tests drive the system browser.");
        }
        // Bounded waits everywhere: 20 s for an element or attribute (the machine's two cores are shared), longer waits say so.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        });
    }

    /// <summary>A page in a new context on <paramref name="baseAddress"/> (relative URLs go there), with bounded timeouts.</summary>
    public async Task<WebPage> NewPageAsync(Uri baseAddress, ITestOutputHelper output, int width = 1280, int height = 900,
        ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = colorScheme,
        });
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(30_000);
        var page = await context.NewPageAsync();
        return new WebPage(context, page, output);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
    }
}
