using System.Diagnostics;
using Xunit.Abstractions;

namespace AspireMmRag.Crawler.Tests;

/// <summary>
/// The crawler on a real rabbitmq-server, started with a seed folder on a brand-new virtual host (no queue, exchange or
/// binding exists yet) again and again: the seed's <c>CrawlRequested</c> must reach the crawler's own consumer every time,
/// so that the folder's documents reach the <c>DocumentCrawled</c> consumer.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class SeedCrawlStartupTests(RabbitMqBrokerFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const int Runs = 20;
    private const int MaxLostRuns = 3; // a failing test stops here rather than waiting out every run
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _root = new("crawler-seed-startup");

    [Fact]
    public async Task A_seeded_folder_reaches_document_consumers_on_a_brand_new_virtual_host_in_every_run()
    {
        var corpus = Directory.CreateDirectory(_root.Combine("corpus")).FullName;
        File.WriteAllText(Path.Combine(corpus, "harbour.md"), "# The harbour\n\nFerries leave the South Harbour for Suomenlinna every half hour.\n");
        File.WriteAllText(Path.Combine(corpus, "churches.txt"), "Temppeliaukio Church is carved into solid rock.");
        string[] expected = ["folder:corpus/harbour.md", "folder:corpus/churches.txt"];
        var settings = new Dictionary<string, string?>
        {
            ["Crawler:Folders:Roots:0"] = corpus,
            ["MediaStore:Directory"] = _root.Combine("media"),
        };

        var lost = new List<string>();
        var total = Stopwatch.StartNew();
        var runs = 0;
        for (var run = 1; run <= Runs && lost.Count < MaxLostRuns; run++)
        {
            runs = run;
            var started = Stopwatch.StartNew();
            using var setup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var messaging = await fixture.Broker.CreateVirtualHostAsync($"crawler-seed-{run}-{Guid.NewGuid():N}");
            await using var documents = await DocumentCollector.StartAsync(messaging, setup.Token);
            var ready = started.Elapsed;
            await using var crawler = new CrawlerApp(settings, seedFolders: [corpus], broker: messaging);
            _ = crawler.Services; // starts the host: the bus and the seed

            var arrived = await documents.Received.WaitForAsync(expected, RunTimeout);
            output.WriteLine($"run {run}: {(arrived ? "ingested" : "LOST")} after {(started.Elapsed - ready).TotalSeconds:F2} s " +
                $"(virtual host and consumer ready in {ready.TotalSeconds:F2} s), received [{string.Join(", ", documents.Received.Ids)}]");
            if (!arrived)
            {
                lost.Add($"run {run}: received [{string.Join(", ", documents.Received.Ids)}]; crawler warnings: " +
                    string.Join(" | ", crawler.Logs.Entries.Select(entry => $"{entry.Level} {entry.Category}: {entry.Message}")));
            }
        }
        output.WriteLine($"{runs} runs in {total.Elapsed.TotalSeconds:F1} s, {lost.Count} lost");

        Assert.True(lost.Count == 0, $"{lost.Count} of {runs} runs lost the seed crawl:\n{string.Join('\n', lost)}");
    }

    public void Dispose() => _root.Dispose();
}
