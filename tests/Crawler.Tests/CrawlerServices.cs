using AspireMmRag.Crawler.Extensions;
using AspireMmRag.TestModels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Crawler.Tests;

/// <summary>The crawler's services (<see cref="CrawlerServiceExtensions.AddCrawling"/>, no bus) over in-memory settings.</summary>
public sealed class CrawlerServices : IAsyncDisposable
{
    public const string TestUserAgent = "AspireMmRag.Tests/1.0 (https://example.org/aspire-mm-rag; tests@example.org) .NET";

    private readonly ServiceProvider _provider;

    private CrawlerServices(ServiceProvider provider, LogRecorder logs)
    {
        _provider = provider;
        Logs = logs;
    }

    public IServiceProvider Services => _provider;
    public LogRecorder Logs { get; }

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public static CrawlerServices Create(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var logs = new LogRecorder();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        services.AddCrawling(configuration);
        return new CrawlerServices(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), logs);
    }

    /// <summary>Settings for crawling the fake wiki: its API, 127.0.0.1 allowed as host and (explicitly) as a private network,
    /// short timeouts, media in <paramref name="mediaDirectory"/>. <paramref name="overrides"/> win (a null value removes a key).</summary>
    public static Dictionary<string, string?> WikiSettings(FakeMediaWikiServer server, string mediaDirectory, params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Crawler:Wikipedia:ApiEndpoint"] = server.ApiEndpoint,
            ["Crawler:Wikipedia:UserAgent"] = TestUserAgent,
            ["Crawler:Wikipedia:RequestTimeout"] = "00:00:05",
            ["Crawler:Wikipedia:InitialBackoff"] = "00:00:00.200",
            ["Crawler:Wikipedia:MaxRetries"] = "2",
            ["Crawler:Safety:AllowedHosts:0"] = "127.0.0.1",
            ["Crawler:Safety:AllowedPrivateNetworks:0"] = "127.0.0.1/32",
            ["MediaStore:Directory"] = mediaDirectory,
        };
        foreach (var (key, value) in overrides)
        {
            if (value is null)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        }
        return settings;
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
