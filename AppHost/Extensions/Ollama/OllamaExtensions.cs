using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.AppHost.Extensions.Ollama;

/// <summary>Ollama as an Aspire resource (the CommunityToolkit integration is not available to this project): a container or
/// a local <c>ollama serve</c>, and a model resource that pulls its model once the server is ready.</summary>
public static class OllamaExtensions
{
    public const string Image = "ollama/ollama";
    public const string Tag = "0.13.0";
    public const int Port = 11434;

    /// <summary>Where the ollama/ollama image keeps its models: a path inside the container (its user's home), not on this
    /// machine; the data volume is mounted there.</summary>
    public const string ModelsPathInContainer = "/root/.ollama";

    /// <summary>The <c>docker.io/ollama/ollama</c> container: HTTP on 11434, models kept in a data volume at
    /// <see cref="ModelsPathInContainer"/>, healthy when <c>/</c> answers; <paramref name="gpu"/> <c>nvidia</c> passes the GPUs
    /// (<c>--gpus all</c> for Docker, <c>--device nvidia.com/gpu=all</c> for Podman).</summary>
    public static IResourceBuilder<OllamaContainerResource> AddOllamaContainer(this IDistributedApplicationBuilder builder, string name,
        string? gpu, string runtime)
    {
        var ollama = builder.AddResource(new OllamaContainerResource(name))
            .WithImage(Image, Tag)
            .WithImageRegistry("docker.io")
            .WithHttpEndpoint(targetPort: Port, name: "http")
            .WithVolume($"{name}-data", ModelsPathInContainer)
            .WithHttpHealthCheck("/", endpointName: "http");
        if (string.Equals(gpu, "nvidia", StringComparison.OrdinalIgnoreCase))
        {
            if (runtime == "podman")
            {
                ollama.WithContainerRuntimeArgs("--device", "nvidia.com/gpu=all");
            }
            else
            {
                ollama.WithContainerRuntimeArgs("--gpus", "all");
            }
        }
        return ollama;
    }

    /// <summary>A locally installed <c>ollama serve</c> on 127.0.0.1:<paramref name="port"/> (<c>OLLAMA_HOST</c>), healthy when
    /// <c>/</c> answers.</summary>
    public static IResourceBuilder<OllamaExecutableResource> AddLocalOllama(this IDistributedApplicationBuilder builder, string name,
        string command, int port)
    {
        var host = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"127.0.0.1:{port}");
        return builder.AddResource(new OllamaExecutableResource(name, command, builder.AppHostDirectory))
            .WithArgs("serve")
            .WithEnvironment("OLLAMA_HOST", host)
            .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false)
            .WithHttpHealthCheck("/", endpointName: "http");
    }

    /// <summary>
    /// A model of <paramref name="server"/>, pulled when the server is ready (<see cref="OllamaModelPull"/>), shown in the
    /// dashboard as a child of the server with its download progress and a "Pull again" command. It is healthy once the
    /// model is present or its pull has failed, so <c>WaitFor(model)</c> holds a service until the download has ended and
    /// never for ever.
    /// </summary>
    public static IResourceBuilder<OllamaModelResource> AddModel<T>(this IResourceBuilder<T> server, string name, string model)
        where T : IOllamaServerResource
    {
        var builder = server.ApplicationBuilder;
        var resource = new OllamaModelResource(name, model, server.Resource);
        var pull = new OllamaModelPull(resource);
        var healthKey = $"{name}_model_present";
        builder.Services.AddHealthChecks().AddCheck(healthKey, () => pull.Health());

        builder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, (ready, cancellationToken) =>
        {
            StartPull(ready.Services, pull, resource);
            return Task.CompletedTask;
        });

        return builder.AddResource(resource)
            .WithParentRelationship(server.Resource)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "OllamaModel",
                State = new ResourceStateSnapshot($"Waiting for {server.Resource.Name}", KnownResourceStateStyles.Info),
                Properties = [new ResourcePropertySnapshot("ollama.model", model)],
            })
            .WithHealthCheck(healthKey)
            .WithCommand("pull-again", "Pull again", context =>
            {
                StartPull(context.Services, pull, resource);
                return Task.FromResult(CommandResults.Success());
            }, new CommandOptions { IconName = "ArrowDownload", Description = $"Pull {model} again (after a failure, or to update it)" });
    }

    private static void StartPull(IServiceProvider services, OllamaModelPull pull, OllamaModelResource resource)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var log = services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
        var stopping = services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;
        _ = Task.Run(() => pull.RunAsync(notifications, log, stopping), stopping);
    }
}
