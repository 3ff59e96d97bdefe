namespace AspireMmRag.AppHost.Extensions;

public static class MilvusExtensions
{
    /// <summary>The user the services sign in as (<c>root</c>, whose password the container sets on its first start).</summary>
    public const string User = "root";

    /// <summary>
    /// Milvus standalone as a container (Aspire.Hosting.Milvus is not available to us): embedded etcd, local storage,
    /// a data volume, the REST/gRPC port 19530, and a health check on the management port's /healthz. Authentication is on:
    /// <paramref name="rootPassword"/> becomes root's password when the data volume is created (an existing volume keeps
    /// the password it was created with).
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddMilvusStandalone(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> rootPassword)
    {
        return builder.AddContainer(name, "milvusdb/milvus", "v2.5.12")
            .WithEnvironment("COMMON_SECURITY_AUTHORIZATIONENABLED", "true")
            .WithEnvironment("COMMON_SECURITY_DEFAULTROOTPASSWORD", rootPassword)
            .WithArgs("milvus", "run", "standalone")
            .WithEnvironment("ETCD_USE_EMBED", "true")
            .WithEnvironment("ETCD_DATA_DIR", "/var/lib/milvus/etcd")
            .WithEnvironment("COMMON_STORAGETYPE", "local")
            .WithContainerRuntimeArgs("--security-opt", "seccomp:unconfined")
            .WithVolume($"{name}-data", "/var/lib/milvus")
            .WithHttpEndpoint(targetPort: 19530, name: "http")
            .WithHttpEndpoint(targetPort: 9091, name: "health")
            .WithHttpHealthCheck("/healthz", endpointName: "health");
    }
}
