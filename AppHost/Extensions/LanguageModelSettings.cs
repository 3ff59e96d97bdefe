using AspireMmRag.AppHost.Extensions.Ollama;
using Microsoft.Extensions.Configuration;

namespace AspireMmRag.AppHost.Extensions;

/// <summary>How the gateway's language model runs.</summary>
public enum LanguageModelKind
{
    /// <summary>No model: retrieval-only answers.</summary>
    None,

    /// <summary>The Ollama container, with the model pulled into its volume.</summary>
    OllamaContainer,

    /// <summary>A locally installed <c>ollama serve</c> started by the AppHost.</summary>
    OllamaLocal,

    /// <summary>An Ollama server the AppHost does not run (<c>Llm:Endpoint</c>).</summary>
    OllamaExternal,

    /// <summary>LLamaSharp in the gateway's process, with the GGUF at <c>Llm:ModelPath</c>.</summary>
    LlamaSharp,
}

/// <summary>
/// The gateway's language model, from the AppHost's <c>Llm</c> section and the infrastructure mode. <c>Llm:Provider</c> =
/// <c>Auto</c> (the default) picks per mode: container mode → the Ollama container; local mode → a local <c>ollama</c>
/// when one is installed (<c>Llm:OllamaCommand</c>, else <c>ollama</c> on the PATH), else LLamaSharp when
/// <c>Llm:ModelPath</c> names an existing GGUF, else none. <c>Ollama</c> uses <c>Llm:Endpoint</c> when set (a server of
/// your own), else the per-mode Ollama; <c>LlamaSharp</c> and <c>None</c> are taken as they are. The model is
/// <c>Llm:Model</c> (default <c>llama3</c>).
/// </summary>
public sealed record LanguageModelSettings(LanguageModelKind Kind, string Model, string? Endpoint, string? ModelPath, string? OllamaCommand, string Reason)
{
    public const int LocalOllamaPort = 11435;

    public static LanguageModelSettings From(IConfiguration configuration, string repositoryRoot, InfraMode mode, Func<string, string?>? findOnPath = null)
    {
        findOnPath ??= FindOnPath;
        var section = configuration.GetSection("Llm");
        var provider = section["Provider"] is { Length: > 0 } p ? p.ToLowerInvariant() : "auto";
        var model = section["Model"] is { Length: > 0 } m ? m : "llama3";
        var modelPath = section["ModelPath"] is { Length: > 0 } path ? Path.GetFullPath(path, repositoryRoot) : null;
        var endpoint = section["Endpoint"] is { Length: > 0 } e ? e : null;
        var ollama = section["OllamaCommand"] is { Length: > 0 } command ? (File.Exists(command) ? command : null) : findOnPath("ollama");

        LanguageModelSettings Ollama(string reason) => mode == InfraMode.Container
            ? new(LanguageModelKind.OllamaContainer, model, null, null, null, reason)
            : ollama is not null
                ? new(LanguageModelKind.OllamaLocal, model, null, null, ollama, reason)
                : new(LanguageModelKind.None, model, null, null, null, "Llm:Provider=Ollama but local mode has no ollama installed (and no Llm:Endpoint)");

        return provider switch
        {
            "none" => new(LanguageModelKind.None, model, null, null, null, "Llm:Provider=None"),
            "llamasharp" => new(LanguageModelKind.LlamaSharp, model, null, modelPath, null, "Llm:Provider=LlamaSharp"),
            "ollama" when endpoint is not null => new(LanguageModelKind.OllamaExternal, model, endpoint, null, null, "Llm:Provider=Ollama with Llm:Endpoint"),
            "ollama" => Ollama("Llm:Provider=Ollama"),
            "auto" when mode == InfraMode.Container => Ollama("container mode"),
            "auto" when ollama is not null => Ollama("local mode, ollama installed"),
            "auto" when modelPath is not null && File.Exists(modelPath) => new(LanguageModelKind.LlamaSharp, model, null, modelPath, null, "local mode, no ollama, Llm:ModelPath is a file"),
            "auto" => new(LanguageModelKind.None, model, null, null, null, "local mode, no ollama and no Llm:ModelPath"),
            _ => throw new InvalidOperationException($"Llm:Provider '{provider}' is not one of Auto, None, Ollama, LlamaSharp."),
        };
    }

    public string Description => Kind switch
    {
        LanguageModelKind.OllamaContainer => $"Ollama container ({OllamaExtensions.Image}:{OllamaExtensions.Tag}) with {Model}, pulled on first run ({Reason})",
        LanguageModelKind.OllamaLocal => $"local ollama ({OllamaCommand}) on port {LocalOllamaPort} with {Model} ({Reason})",
        LanguageModelKind.OllamaExternal => $"Ollama {Model} at {Endpoint} ({Reason})",
        LanguageModelKind.LlamaSharp => $"LLamaSharp with {ModelPath ?? "(Llm:ModelPath not set)"} ({Reason})",
        _ => $"none — retrieval-only answers ({Reason})",
    };

    /// <summary>Adds what the choice needs to the topology and wires the gateway to it: the Ollama server and its model
    /// resource (the gateway references the model as <c>llm</c> and waits for its pull to end), or the GGUF path.</summary>
    public void Apply(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway, string containerRuntime, string? gpu)
    {
        var provider = Kind switch
        {
            LanguageModelKind.None => "None",
            LanguageModelKind.LlamaSharp => "LlamaSharp",
            _ => "Ollama",
        };
        gateway.WithEnvironment("Llm__Provider", provider).WithEnvironment("Llm__Model", Model);
        switch (Kind)
        {
            case LanguageModelKind.OllamaContainer:
                Wire(gateway, builder.AddOllamaContainer("ollama", gpu, containerRuntime).AddModel(ModelResourceName(Model), Model));
                break;
            case LanguageModelKind.OllamaLocal:
                Wire(gateway, builder.AddLocalOllama("ollama", OllamaCommand!, LocalOllamaPort).AddModel(ModelResourceName(Model), Model));
                break;
            case LanguageModelKind.OllamaExternal:
                gateway.WithReference(builder.AddConnectionString("llm", ReferenceExpression.Create($"Endpoint={Endpoint!};Model={Model}")));
                break;
            case LanguageModelKind.LlamaSharp when ModelPath is not null:
                gateway.WithEnvironment("Llm__ModelPath", ModelPath);
                break;
        }
    }

    private static void Wire(IResourceBuilder<ProjectResource> gateway, IResourceBuilder<OllamaModelResource> model) =>
        gateway.WithReference(model, connectionName: "llm").WaitFor(model);

    /// <summary>A resource name for a model name: <c>llama3:8b</c> → <c>llama3-8b</c>.</summary>
    public static string ModelResourceName(string model) =>
        new string([.. model.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')]).Trim('-') is { Length: > 0 } name ? name : "model";

    private static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(File.Exists);
}
