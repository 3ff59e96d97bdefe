using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Crawler.Tests;

/// <summary>
/// The real crawler (its Program, AddApplicationServices, consumer definition) with MassTransit's test harness in place of
/// RabbitMQ, crawling the fake wiki and a fixture folder. Seeds are switched off (empty lists) unless given.
/// </summary>
public sealed class CrawlerApp : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly IReadOnlyList<string> _seedTitles;

    /// <param name="seedTitles">Wikipedia titles to seed at start (none by default).</param>
    public CrawlerApp(IReadOnlyDictionary<string, string?> settings, IReadOnlyList<string>? seedTitles = null)
    {
        _settings = settings;
        _seedTitles = seedTitles ?? [];
    }

    public ITestHarness Harness => Services.GetTestHarness();

    public LogRecorder Logs { get; } = new();

    /// <summary>Log messages mentioning <paramref name="text"/> (a request id, say).</summary>
    public string[] LogsAbout(string text) => Logs.Entries.Where(entry => entry.Message.Contains(text, StringComparison.Ordinal)).Select(entry => entry.Message).ToArray();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:messaging", "amqp://guest:guest@127.0.0.1:1/"); // replaced by the harness, never dialled
        if (_seedTitles.Count == 0)
        {
            builder.UseSetting("Crawler:Seed:WikipediaTitles", "");
        }
        for (var i = 0; i < _seedTitles.Count; i++)
        {
            builder.UseSetting($"Crawler:Seed:WikipediaTitles:{i}", _seedTitles[i]);
        }
        builder.UseSetting("Crawler:Seed:Folders", "");
        builder.UseSetting("Crawler:Messaging:RetryIntervals:0", "00:00:00.050");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:MassTransit", "Critical"); // expected faults would flood the test output
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            services.AddMassTransitTestHarness();
            services.Configure<TestHarnessOptions>(options =>
            {
                options.TestTimeout = TimeSpan.FromSeconds(20);
                options.TestInactivityTimeout = TimeSpan.FromSeconds(3);
            });
        });
    }
}
