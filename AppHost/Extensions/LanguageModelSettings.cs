using Microsoft.Extensions.Configuration;

namespace AspireMmRag.AppHost.Extensions;

/// <summary>
/// The gateway's language model, from the AppHost's <c>Llm</c> section: <c>Llm:Provider</c> = <c>None</c> (the default:
/// retrieval-only answers), <c>Ollama</c> (a server at <c>Llm:Endpoint</c>, model <c>Llm:Model</c>, passed as the
/// connection string <c>llm</c>) or <c>LlamaSharp</c> (in-process, the GGUF at <c>Llm:ModelPath</c>).
/// </summary>
public sealed record LanguageModelSettings(string Provider, string Model, string? Endpoint, string? ModelPath)
{
    public static LanguageModelSettings From(IConfiguration configuration, string repositoryRoot)
    {
        var section = configuration.GetSection("Llm");
        var provider = section["Provider"] is { Length: > 0 } p ? p : "None";
        var modelPath = section["ModelPath"] is { Length: > 0 } path ? Path.GetFullPath(path, repositoryRoot) : null;
        return new LanguageModelSettings(provider, section["Model"] is { Length: > 0 } m ? m : "llama3", section["Endpoint"], modelPath);
    }

    public string Description => Provider.ToLowerInvariant() switch
    {
        "ollama" => $"Ollama {Model} at {Endpoint ?? "(Llm:Endpoint not set)"}",
        "llamasharp" => $"LLamaSharp with {ModelPath ?? "(Llm:ModelPath not set)"}",
        _ => "none (retrieval-only answers; set Llm:Provider)",
    };

    public void Apply(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway)
    {
        gateway.WithEnvironment("Llm__Provider", Provider).WithEnvironment("Llm__Model", Model);
        switch (Provider.ToLowerInvariant())
        {
            case "ollama":
                var endpoint = Endpoint is { Length: > 0 } e ? e : "http://localhost:11434";
                gateway.WithReference(builder.AddConnectionString("llm", ReferenceExpression.Create($"Endpoint={endpoint};Model={Model}")));
                break;
            case "llamasharp" when ModelPath is not null:
                gateway.WithEnvironment("Llm__ModelPath", ModelPath);
                break;
        }
    }
}
