using AspireMmRag.AppHost.Extensions;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
var mode = InfraModeDetector.Detect(builder.Configuration, Console.WriteLine);
var ingest = IngestSettings.From(builder.Configuration, repositoryRoot);

// Infrastructure: containers when a container runtime answers, local processes otherwise.
// The catalog is the gateway's record of ingestion jobs and indexed documents: PostgreSQL as a container, else a SQLite file.
IResourceBuilder<IResourceWithConnectionString> messaging;
IResourceBuilder<IResourceWithConnectionString> catalog;
IResourceBuilder<ContainerResource>? milvus = null;
IResourceBuilder<ParameterResource>? milvusPassword = null;
if (mode == InfraMode.Container)
{
    messaging = builder.AddRabbitMQ("messaging").WithDataVolume();
    milvusPassword = builder.AddParameter("milvus-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
    milvus = builder.AddMilvusStandalone("milvus", milvusPassword);
    catalog = builder.AddPostgres("postgres").WithDataVolume().AddDatabase("catalog");
}
else
{
    messaging = builder.AddLocalRabbitMQ("messaging",
        port: builder.Configuration.GetValue("Infra:RabbitMQ:Port", 5673),
        dataDirectory: ingest.RabbitMQDirectory,
        server: builder.Configuration["Infra:RabbitMQ:Server"] ?? LocalRabbitMQExtensions.DefaultServer);
    Directory.CreateDirectory(ingest.DataDirectory);
    catalog = builder.AddConnectionString("catalog", ReferenceExpression.Create($"Data Source={ingest.CatalogFile}"));
}

// Services.
// Replicas share the machine's cores: each gets its share of ONNX Runtime intra-op threads (Embedder:IntraOpThreads overrides).
var embedderReplicas = builder.Configuration.GetValue("Embedder:Replicas", 2);
var embedder = builder.AddProject<Projects.Embedder>("embedder")
    .WithReplicas(embedderReplicas)
    .WithEnvironment("Inference__IntraOpThreads",
        builder.Configuration["Embedder:IntraOpThreads"] ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, embedderReplicas)).ToString(System.Globalization.CultureInfo.InvariantCulture))
    .WithEnvironment("Models__Root", Path.Combine(repositoryRoot, "models"))
    .WithHttp2HealthCheck("/health");
if (builder.Configuration["Embedder:ClipDirectory"] is { Length: > 0 } clipDirectory)
{
    embedder.WithEnvironment("Models__Clip__Directory", Path.GetFullPath(clipDirectory, repositoryRoot));
}
if (builder.Configuration["Embedder:AutoDownload"] is { Length: > 0 } autoDownload)
{
    embedder.WithEnvironment("Models__AutoDownload", autoDownload);
}

// Stores, as connection strings the services read: where vectors live (Milvus or the embedded store) and image bytes.
var vectors = milvus is not null
    ? builder.AddConnectionString("vectors", ReferenceExpression.Create($"Provider=Milvus;Endpoint={milvus.GetEndpoint("http")};Token={MilvusExtensions.User}:{milvusPassword!}"))
    : builder.AddConnectionString("vectors", ReferenceExpression.Create($"Provider=Embedded;Directory={ingest.VectorsDirectory}"));
var media = builder.AddConnectionString("media", ReferenceExpression.Create($"Directory={ingest.MediaDirectory}"));

var indexer = builder.AddProject<Projects.Indexer>("indexer")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(embedder).WaitFor(embedder)
    .WithReference(vectors)
    .WithReference(media)
    .WithHttpHealthCheck("/health");
if (milvus is not null)
{
    indexer.WaitFor(milvus);
}

// The front door: ask, search, images; ingestion over REST (jobs on the broker, the catalog of indexed documents). It reads
// the store the indexer writes (in local mode the indexer creates it). Ingesting and deleting need the API key.
var gatewayPort = builder.Configuration.GetValue("Gateway:Port", 5180);
var apiKey = builder.AddGatewayApiKey(out var whereIsTheApiKey);
var gateway = builder.AddProject<Projects.Gateway>("gateway")
    .WithEndpoint("http", endpoint => endpoint.Port = gatewayPort)
    .WithReference(embedder).WaitFor(embedder)
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(catalog)
    .WithReference(vectors)
    .WithReference(media)
    .WithEnvironment("Gateway__ApiKey", apiKey)
    .WaitFor(indexer)
    .WithHttpHealthCheck("/health")
    .WithGatewayDashboardActions(apiKey);
if (mode == InfraMode.Container)
{
    gateway.WaitFor(catalog); // the PostgreSQL container; the local SQLite file has nothing to wait for
}
// The folder roots a POST /api/ingest {"folder": ...} may name: the ones the crawler may read.
SetList(gateway, "Ingestion__FolderRoots", ingest.Folders);
// The language model per mode (Llm:Provider=Auto): the Ollama container, a local ollama, LLamaSharp, or retrieval-only.
var llm = LanguageModelSettings.From(builder.Configuration, repositoryRoot, mode);
llm.Apply(builder, gateway, InfraModeDetector.ContainerRuntime(builder.Configuration), builder.Configuration["Llm:Gpu"]);
Console.WriteLine($"Gateway: http://localhost:{gatewayPort} (ask: POST /api/ask; ingest: POST /api/ingest); language model: {llm.Description}");
Console.WriteLine($"Gateway API key (header X-Api-Key for POST /api/ingest and DELETE /api/documents/...): {whereIsTheApiKey}");

// Ingestion's source: Wikipedia pages and the folder roots, crawled at start (the seed) and on the gateway's requests.
var crawler = builder.AddProject<Projects.Crawler>("crawler")
    .WithReference(messaging).WaitFor(messaging)
    .WaitFor(indexer) // the indexer's queues must exist before the first document is published
    .WaitFor(gateway) // and the gateway's catalog queue before the first document is indexed (the seed crawl is listed too)
    .WithReference(media)
    .WithHttpHealthCheck("/health");
// Folder roots the crawler may read, crawled once at start; a configured list replaces the crawler's defaults and an
// empty value means none (Ingest:WikipediaTitles= stops the default Wikipedia seed, e.g. offline or in tests).
SetList(crawler, "Crawler__Folders__Roots", ingest.Folders);
SetList(crawler, "Crawler__Seed__Folders", ingest.Folders);
if (ingest.WikipediaTitles is { } titles)
{
    SetList(crawler, "Crawler__Seed__WikipediaTitles", titles);
}

builder.Build().Run();

static void SetList(IResourceBuilder<ProjectResource> resource, string key, IReadOnlyList<string> values)
{
    if (values.Count == 0)
    {
        resource.WithEnvironment(key, "");
        return;
    }
    for (var i = 0; i < values.Count; i++)
    {
        resource.WithEnvironment($"{key}__{i}", values[i]);
    }
}
