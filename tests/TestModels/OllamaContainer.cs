using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace AspireMmRag.TestModels;

/// <summary>
/// A throwaway <c>ollama/ollama</c> container with one small model pulled into it (<see cref="DefaultModel"/>, or
/// <c>MMRAG_OLLAMA_MODEL</c>). It downloads the image and the model, so the tests use it only when a container runtime
/// answers and <c>MMRAG_OLLAMA_CONTAINER=1</c> (<see cref="Wanted"/>); the fake Ollama server otherwise.
/// </summary>
public sealed class OllamaContainer : IAsyncDisposable
{
    public const string Image = "ollama/ollama:0.13.0";
    public const ushort Port = 11434;

    /// <summary>A 135M-parameter chat model (about 270 MB): enough to stream a few words.</summary>
    public const string DefaultModel = "smollm2:135m";

    public const string OptInVariable = "MMRAG_OLLAMA_CONTAINER";
    public const string ModelVariable = "MMRAG_OLLAMA_MODEL";

    private readonly IContainer _container;

    private OllamaContainer(IContainer container, string model)
    {
        _container = container;
        Model = model;
    }

    /// <summary>True when <c>MMRAG_OLLAMA_CONTAINER=1</c> (or true) is set.</summary>
    public static bool OptedIn => Environment.GetEnvironmentVariable(OptInVariable) is "1" or "true" or "TRUE" or "True";

    /// <summary>Opted in and a container runtime answers.</summary>
    public static bool Wanted => OptedIn && TestServices.ContainerRuntimeAnswers();

    /// <summary>Why the container is not used, for the test output (null when it is).</summary>
    public static string? NotWantedReason => !OptedIn
        ? $"{OptInVariable} is not set (set {OptInVariable}=1 to also run against a real {Image} with {DefaultModel}; it downloads about 2 GB)"
        : !TestServices.ContainerRuntimeAnswers() ? $"{OptInVariable} is set but no container runtime answers" : null;

    public string Model { get; }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:32768/</c>.</summary>
    public Uri Endpoint => new($"http://{_container.Hostname}:{_container.GetMappedPublicPort(Port)}/");

    /// <summary>The connection string the gateway reads as <c>ConnectionStrings:llm</c>.</summary>
    public string ConnectionString => $"Endpoint={Endpoint};Model={Model}";

    public static async Task<OllamaContainer> StartAsync(CancellationToken cancellationToken = default)
    {
        var model = Environment.GetEnvironmentVariable(ModelVariable) is { Length: > 0 } chosen ? chosen : DefaultModel;
        var container = new ContainerBuilder(Image)
            .WithPortBinding(Port, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(request => request.ForPort(Port).ForPath("/api/version")))
            .Build();
        var ollama = new OllamaContainer(container, model);
        try
        {
            await container.StartAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(15));
            var pull = await container.ExecAsync(["ollama", "pull", model], timeout.Token);
            if (pull.ExitCode != 0)
            {
                throw new InvalidOperationException($"ollama pull {model} failed ({pull.ExitCode}): {pull.Stdout}{pull.Stderr}");
            }
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
        TestServices.Log($"Ollama: container {Image} with {model} at {ollama.Endpoint}");
        return ollama;
    }

    public ValueTask DisposeAsync() => _container.DisposeAsync();
}
