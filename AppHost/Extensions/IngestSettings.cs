using Microsoft.Extensions.Configuration;

namespace AspireMmRag.AppHost.Extensions;

/// <summary>What the system ingests at start-up and where it keeps its data. Bound from the AppHost's configuration.</summary>
public sealed record IngestSettings(string DataDirectory, IReadOnlyList<string> Folders, IReadOnlyList<string>? WikipediaTitles)
{
    public string MediaDirectory => Path.Combine(DataDirectory, "media");
    public string VectorsDirectory => Path.Combine(DataDirectory, "vectors");
    public string RabbitMQDirectory => Path.Combine(DataDirectory, "rabbitmq");
    /// <summary>The gateway's SQLite catalog (jobs, indexed documents) in local mode.</summary>
    public string CatalogFile => Path.Combine(DataDirectory, "catalog.db");

    /// <summary><c>Data:Directory</c> (default <c>.data</c> in the repository), <c>Ingest:Folders</c> (folder roots crawled
    /// at start, relative to the repository; default <c>samples</c>), <c>Ingest:WikipediaTitles</c> (unset: the crawler's own seed list).</summary>
    public static IngestSettings From(IConfiguration configuration, string repositoryRoot)
    {
        string Resolve(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(repositoryRoot, path));

        var data = Resolve(configuration["Data:Directory"] is { Length: > 0 } d ? d : ".data");
        var folders = configuration.GetSection("Ingest:Folders").Get<string[]>() ?? ["samples"];
        var titles = configuration.GetSection("Ingest:WikipediaTitles").Exists()
            ? configuration.GetSection("Ingest:WikipediaTitles").Get<string[]>() ?? []
            : null;
        return new IngestSettings(data, folders.Where(f => f.Length > 0).Select(Resolve).ToArray(), titles);
    }
}
