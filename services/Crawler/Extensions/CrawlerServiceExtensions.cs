using AspireMmRag.Crawler.Folders;
using AspireMmRag.Crawler.Messaging;
using AspireMmRag.Crawler.Options;
using AspireMmRag.Crawler.Safety;
using AspireMmRag.Crawler.Telemetry;
using AspireMmRag.Crawler.Wikipedia;
using AspireMmRag.Media;
using AspireMmRag.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Extensions;

public static class CrawlerServiceExtensions
{
    /// <summary>The crawler service: crawling, messaging over RabbitMQ (<c>ConnectionStrings:messaging</c>) with the
    /// <see cref="CrawlRequestedConsumer"/>, and the start-up seed.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddCrawling(builder.Configuration);
        builder.AddRabbitMqMessaging(bus => bus.AddConsumer<CrawlRequestedConsumer>(typeof(CrawlRequestedConsumerDefinition)));
        builder.Services.AddHostedService<SeedCrawlService>();
        return builder;
    }

    /// <summary>Options, safety checks, the Wikipedia and folder crawlers and the media store — everything but the bus.</summary>
    public static IServiceCollection AddCrawling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WikipediaOptions>().Bind(configuration.GetSection(WikipediaOptions.SectionName))
            .Validate(o => Uri.TryCreate(o.ApiEndpoint, UriKind.Absolute, out _), "Crawler:Wikipedia:ApiEndpoint must be an absolute URL.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.UserAgent) && !string.IsNullOrWhiteSpace(o.Language),
                "Crawler:Wikipedia:UserAgent (descriptive, with contact information) and Language are required.")
            .Validate(o => o.MaxImagesPerPage >= 0 && o.ImageWidth > 0 && o.MaxLag >= 0 && o.MaxRetries >= 0 && o.MaxContinuations >= 0,
                "Crawler:Wikipedia: MaxImagesPerPage, MaxLag, MaxRetries and MaxContinuations must be >= 0 and ImageWidth > 0.")
            .Validate(o => o.RequestTimeout > TimeSpan.Zero && o.MaxBackoff >= TimeSpan.Zero && o.InitialBackoff >= TimeSpan.Zero
                && o.MaxApiResponseBytes > 0 && o.MaxImageBytes > 0, "Crawler:Wikipedia: timeouts and size caps must be positive.")
            .ValidateOnStart();
        services.AddOptions<SafetyOptions>().Bind(configuration.GetSection(SafetyOptions.SectionName))
            .Validate(o => o.MaxRedirects >= 0 && o.ConnectTimeout > TimeSpan.Zero, "Crawler:Safety: MaxRedirects >= 0 and ConnectTimeout > 0 are required.")
            .Validate(o => o.EffectiveAllowedHosts.Count > 0, "Crawler:Safety:AllowedHosts may not be empty.")
            .Validate(o => TryParseNetworks(o), "Crawler:Safety:AllowedPrivateNetworks must hold CIDR ranges such as 127.0.0.1/32 (host bits zero).")
            .ValidateOnStart();
        services.AddOptions<FolderOptions>().Bind(configuration.GetSection(FolderOptions.SectionName))
            .Validate(o => o.MaxDepth >= 0 && o.MaxFiles > 0 && o.MaxDocumentBytes > 0 && o.MaxImageBytes > 0, "Crawler:Folders: limits must be positive.")
            .Validate(o => o.EffectiveRoots.Where(root => !string.IsNullOrWhiteSpace(root))
                    .Select(root => Path.GetFileName(Path.GetFullPath(root).TrimEnd('/', '\\'))).GroupBy(name => name).All(group => group.Count() == 1),
                "Crawler:Folders:Roots: root folder names go into document ids and must be unique.")
            .ValidateOnStart();
        services.AddOptions<SeedOptions>().Bind(configuration.GetSection(SeedOptions.SectionName));
        services.AddOptions<MessagingOptions>().Bind(configuration.GetSection(MessagingOptions.SectionName))
            .Validate(o => o.PublishTimeout > TimeSpan.Zero, "Crawler:Messaging:PublishTimeout must be positive.")
            .ValidateOnStart();

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMediaStore(configuration);
        services.AddSingleton<CrawlerTelemetry>();

        services.AddSingleton(provider => new IpAddressPolicy(provider.GetRequiredService<IOptions<SafetyOptions>>().Value.ParseAllowedPrivateNetworks()));
        services.AddSingleton<UrlPolicy>();
        services.AddSingleton<GuardedHttpClient>();
        services.AddSingleton<FolderRoots>();

        services.AddSingleton<MediaWikiClient>();
        services.AddSingleton<WikipediaCrawler>();

        services.AddSingleton<IDocumentReader, MarkdownDocumentReader>();
        services.AddSingleton<IDocumentReader, PlainTextDocumentReader>();
        services.AddSingleton<IDocumentReader, HtmlDocumentReader>();
        services.AddSingleton<IDocumentReader, PdfDocumentReader>();
        services.AddSingleton<FolderWalker>();
        services.AddSingleton<FolderCrawler>();

        services.AddSingleton<CrawlEventPublisher>();
        services.AddSingleton<WikipediaRequestHandler>();
        services.AddSingleton<FolderRequestHandler>();
        return services;
    }

    private static bool TryParseNetworks(SafetyOptions options)
    {
        try
        {
            options.ParseAllowedPrivateNetworks();
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
