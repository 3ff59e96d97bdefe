using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace AspireMmRag.TestModels;

/// <summary>
/// A throwaway Milvus standalone container with the image, command and settings of the AppHost's
/// <c>AddMilvusStandalone</c> (embedded etcd, local storage, seccomp unconfined; REST on 19530, <c>/healthz</c> on 9091),
/// without its data volume. Only for a machine where a container runtime answers (<see cref="TestServices.ContainerRuntimeAnswers"/>);
/// <see cref="StartAsync"/> builds the container, so nothing touches Docker before it.
/// </summary>
public sealed class MilvusStandalone : IAsyncDisposable
{
    public const string Image = "milvusdb/milvus:v2.5.12";
    public const ushort RestPort = 19530;
    public const ushort HealthPort = 9091;

    private readonly IContainer _container;

    private MilvusStandalone(IContainer container) => _container = container;

    /// <summary>The REST endpoint (<c>http://host:port</c>), what <c>Milvus:Endpoint</c> is set to.</summary>
    public Uri Endpoint => new($"http://{_container.Hostname}:{_container.GetMappedPublicPort(RestPort)}");

    public static async Task<MilvusStandalone> StartAsync(CancellationToken cancellationToken = default)
    {
        var container = new ContainerBuilder(Image)
            .WithCommand("milvus", "run", "standalone")
            .WithEnvironment("ETCD_USE_EMBED", "true")
            .WithEnvironment("ETCD_DATA_DIR", "/var/lib/milvus/etcd")
            .WithEnvironment("COMMON_STORAGETYPE", "local")
            // --security-opt seccomp:unconfined, as the AppHost passes it (Testcontainers has no builder method for it).
            .WithCreateParameterModifier(parameters =>
            {
                var host = parameters.HostConfig ??= new HostConfig();
                host.SecurityOpt = [.. host.SecurityOpt ?? [], "seccomp:unconfined"];
            })
            .WithPortBinding(RestPort, assignRandomHostPort: true)
            .WithPortBinding(HealthPort, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(
                request => request.ForPort(HealthPort).ForPath("/healthz"),
                wait => wait.WithTimeout(TimeSpan.FromMinutes(3))))
            .Build();
        var milvus = new MilvusStandalone(container);
        try
        {
            await container.StartAsync(cancellationToken);
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
        TestServices.Log($"Milvus: container {Image} at {milvus.Endpoint}");
        return milvus;
    }

    public ValueTask DisposeAsync() => _container.DisposeAsync();
}
