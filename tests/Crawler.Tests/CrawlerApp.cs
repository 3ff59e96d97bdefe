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
/// RabbitMQ, or on a real broker when given one, crawling the fake wiki and a fixture folder. Seeds are switched off
/// (empty lists) unless given.
/// </summary>
public sealed class CrawlerApp : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly IReadOnlyList<string> _seedTitles;
    private readonly IReadOnlyList<string> _seedFolders;
    private readonly string? _broker;

    /// <param name="seedTitles">Wikipedia titles to seed at start (none by default).</param>
    /// <param name="seedFolders">Folders to seed at start (none by default).</param>
    /// <param name="broker">An amqp:// connection string: the crawler's own MassTransit/RabbitMQ bus on that broker, no test
    /// harness (<see cref="Harness"/> is then unavailable).</param>
    public CrawlerApp(IReadOnlyDictionary<string, string?> settings, IReadOnlyList<string>? seedTitles = null,
        IReadOnlyList<string>? seedFolders = null, string? broker = null)
    {
        _settings = settings;
        _seedTitles = seedTitles ?? [];
        _seedFolders = seedFolders ?? [];
        _broker = broker;
    }

    public ITestHarness Harness => _broker is null
        ? Services.GetTestHarness()
        : throw new InvalidOperationException("This crawler runs on a real broker, without the test harness.");

    public LogRecorder Logs { get; } = new();

    /// <summary>Log messages mentioning <paramref name="text"/> (a request id, say).</summary>
    public string[] LogsAbout(string text) => Logs.Entries.Where(entry => entry.Message.Contains(text, StringComparison.Ordinal)).Select(entry => entry.Message).ToArray();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Without a broker the harness replaces the bus and the connection string is never dialled.
        builder.UseSetting("ConnectionStrings:messaging", _broker ?? "amqp://guest:guest@127.0.0.1:1/");
        if (_seedTitles.Count == 0)
        {
            builder.UseSetting("Crawler:Seed:WikipediaTitles", "");
        }
        for (var i = 0; i < _seedTitles.Count; i++)
        {
            builder.UseSetting($"Crawler:Seed:WikipediaTitles:{i}", _seedTitles[i]);
        }
        if (_seedFolders.Count == 0)
        {
            builder.UseSetting("Crawler:Seed:Folders", "");
        }
        for (var i = 0; i < _seedFolders.Count; i++)
        {
            builder.UseSetting($"Crawler:Seed:Folders:{i}", _seedFolders[i]);
        }
        builder.UseSetting("Crawler:Messaging:RetryIntervals:0", "00:00:00.050");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:MassTransit", "Critical"); // expected faults would flood the test output
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        if (_broker is not null)
        {
            return;
        }
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
