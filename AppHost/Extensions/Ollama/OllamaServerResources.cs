namespace AspireMmRag.AppHost.Extensions.Ollama;

/// <summary>An Ollama server the AppHost runs: its HTTP endpoint (<c>http</c>) and the connection string
/// <c>Endpoint=http://…:port</c>.</summary>
public interface IOllamaServerResource : IResourceWithConnectionString, IResourceWithEndpoints
{
    EndpointReference Http { get; }
}

/// <summary>Ollama in a container (<c>docker.io/ollama/ollama</c>).</summary>
public sealed class OllamaContainerResource(string name) : ContainerResource(name), IOllamaServerResource
{
    public EndpointReference Http => new(this, "http");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"Endpoint={Http.Property(EndpointProperty.Url)}");
}

/// <summary>A locally installed <c>ollama serve</c>.</summary>
public sealed class OllamaExecutableResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IOllamaServerResource
{
    public EndpointReference Http => new(this, "http");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"Endpoint={Http.Property(EndpointProperty.Url)}");
}

/// <summary>A model on an Ollama server, pulled by the AppHost once the server is ready. Its connection string,
/// <c>Endpoint=…;Model=…</c>, is what the gateway reads as <c>ConnectionStrings:llm</c>.</summary>
public sealed class OllamaModelResource(string name, string model, IOllamaServerResource server)
    : Resource(name), IResourceWithParent<IOllamaServerResource>, IResourceWithConnectionString, IResourceWithWaitSupport
{
    public string Model { get; } = model;

    public IOllamaServerResource Parent { get; } = server;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Endpoint={Parent.Http.Property(EndpointProperty.Url)};Model={Model}");
}
