namespace AspireMmRag.TestModels;

/// <summary>
/// How the tests run the ingestion services as processes (<see cref="ServiceProcess"/>): the settings of an embedder with the
/// CLIP-shaped test model (or none), an indexer writing an embedded vector store with fast retries, and a crawler that seeds
/// nothing, reads the given folder roots and, when given a fake wiki, may reach it on 127.0.0.1; and waiting until each is ready.
/// </summary>
public static class PipelineServices
{
    /// <summary>The CLIP-shaped test model and its tokenizer files in <paramref name="directory"/> (created).</summary>
    public static string WriteClipModel(string directory)
    {
        Directory.CreateDirectory(directory);
        ClipTestModels.WriteSplit(directory, TestAssets.ClipVocabJson);
        File.Copy(TestAssets.ClipVocabJson, Path.Combine(directory, "vocab.json"));
        File.Copy(TestAssets.ClipMerges, Path.Combine(directory, "merges.txt"));
        return directory;
    }

    /// <param name="clipDirectory">A folder from <see cref="WriteClipModel"/>, or an empty one for an embedder without CLIP.</param>
    public static Dictionary<string, string> EmbedderEnvironment(string clipDirectory) => new()
    {
        ["Models__AutoDownload"] = "false",
        ["Models__Clip__Directory"] = clipDirectory,
        ["Inference__ExecutionProvider"] = "Cpu",
    };

    public static Dictionary<string, string> IndexerEnvironment(string messaging, string embedderUrl, string mediaDirectory, string vectorsDirectory) => new()
    {
        ["ConnectionStrings__messaging"] = messaging,
        ["services__embedder__http__0"] = embedderUrl,
        ["MediaStore__Directory"] = mediaDirectory,
        ["VectorStore__Provider"] = "Embedded",
        ["VectorStore__Embedded__Directory"] = vectorsDirectory,
        ["Indexing__Retry__OutageMaxInterval"] = "00:00:02",
        ["Indexing__Retry__FailureIntervals__0"] = "00:00:00.200",
        ["Indexing__Retry__FailureIntervals__1"] = "00:00:00.200",
        ["Indexing__Retry__FailureIntervals__2"] = "00:00:00.200",
    };

    /// <param name="wikipediaApi">The fake wiki's <c>api.php</c> (127.0.0.1 is then allowed as host and as a private network),
    /// or null for the real default.</param>
    public static Dictionary<string, string> CrawlerEnvironment(string messaging, string mediaDirectory, IReadOnlyList<string> folderRoots,
        string? wikipediaApi)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__messaging"] = messaging,
            ["MediaStore__Directory"] = mediaDirectory,
            ["Crawler__Seed__WikipediaTitles"] = "",
            ["Crawler__Seed__Folders"] = "",
            ["Crawler__Messaging__RetryIntervals__0"] = "00:00:00.200",
        };
        for (var i = 0; i < folderRoots.Count; i++)
        {
            environment[$"Crawler__Folders__Roots__{i}"] = folderRoots[i];
        }
        if (wikipediaApi is not null)
        {
            environment["Crawler__Wikipedia__ApiEndpoint"] = wikipediaApi;
            environment["Crawler__Wikipedia__UserAgent"] = "AspireMmRag-tests/1.0 (https://example.org/tests; tests@example.org)";
            environment["Crawler__Wikipedia__RequestTimeout"] = "00:00:05";
            environment["Crawler__Wikipedia__InitialBackoff"] = "00:00:00.200";
            environment["Crawler__Wikipedia__MaxRetries"] = "2";
            environment["Crawler__Safety__AllowedHosts__0"] = "127.0.0.1";
            environment["Crawler__Safety__AllowedPrivateNetworks__0"] = "127.0.0.1/32";
        }
        return environment;
    }

    /// <summary>Starts <paramref name="service"/> on a free port and waits until its <c>/health</c> answers 200 (and, when
    /// <paramref name="healthContains"/> is given, says it), e.g. <c>"image_embeddings":"available"</c> for an embedder with CLIP.</summary>
    /// <param name="http2">The service speaks HTTP/2 only (the embedder: gRPC without TLS), so ask over h2c.</param>
    public static async Task<ServiceProcess> StartAsync(string service, IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout, string? healthContains = null, bool http2 = false)
    {
        var process = ServiceProcess.Start(service, environment, FreePorts.Next());
        try
        {
            await WaitForHealthAsync(process, timeout, healthContains, http2);
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public static async Task WaitForHealthAsync(ServiceProcess process, TimeSpan timeout, string? healthContains = null, bool http2 = false)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        if (http2)
        {
            http.DefaultRequestVersion = System.Net.HttpVersion.Version20;
            http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        await process.WaitUntilAsync(async token =>
        {
            using var response = await http.GetAsync($"{process.Url}/health", token);
            return response.IsSuccessStatusCode
                && (healthContains is null || (await response.Content.ReadAsStringAsync(token)).Contains(healthContains, StringComparison.Ordinal));
        }, timeout, $"its /health{(healthContains is null ? "" : $" to say {healthContains}")}");
    }
}
