using Microsoft.Extensions.Configuration;
using AspireMmRag.AppHost.Extensions;

var builder = DistributedApplication.CreateBuilder(args);

var modelsRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "models"));

builder.AddProject<Projects.Embedder>("embedder")
    .WithReplicas(builder.Configuration.GetValue("Embedder:Replicas", 2))
    .WithEnvironment("Models__Root", modelsRoot)
    .WithHttp2HealthCheck("/health");

builder.Build().Run();
