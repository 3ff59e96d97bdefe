using System.Data.Common;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Answering;

/// <summary>Which language model writes the answers.</summary>
public enum LlmProvider
{
    /// <summary>No language model: answers are extracted from the sources (retrieval-only).</summary>
    None,

    /// <summary>An Ollama server over HTTP (<c>ConnectionStrings:llm</c> or <see cref="LlmOptions.Endpoint"/>).</summary>
    Ollama,

    /// <summary>llama.cpp in this process through LLamaSharp, from the GGUF file at <see cref="LlmOptions.ModelPath"/>.</summary>
    LlamaSharp,
}

/// <summary>Settings under <c>Llm</c>. For Ollama, <c>ConnectionStrings:llm</c> (<c>Endpoint=http://…;Model=…</c>) sets
/// <see cref="Endpoint"/> and, when it names one, <see cref="Model"/>.</summary>
public sealed class LlmOptions
{
    public const string SectionName = "Llm";
    public const string ConnectionStringName = "llm";

    public LlmProvider Provider { get; set; } = LlmProvider.None;

    /// <summary>The Ollama model (e.g. <c>llama3</c>, <c>llama3:8b</c>). For LlamaSharp the model is named after its GGUF file.</summary>
    public string Model { get; set; } = "llama3";

    /// <summary>The Ollama base address when <c>ConnectionStrings:llm</c> does not give one.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The GGUF file for LlamaSharp; a relative path is taken from the content root.</summary>
    public string? ModelPath { get; set; }

    public float Temperature { get; set; } = 0.1f;
    public int Seed { get; set; } = 42;
    public int MaxOutputTokens { get; set; } = 512;

    /// <summary>LlamaSharp: tokens of context (prompt and answer). Unset: the model's own length, at most 4096.</summary>
    public uint? ContextSize { get; set; }

    /// <summary>LlamaSharp: layers offloaded to a GPU (0: CPU only).</summary>
    public int GpuLayerCount { get; set; }

    /// <summary>LlamaSharp: CPU threads for inference (unset: llama.cpp's default).</summary>
    public int? Threads { get; set; }

    /// <summary>Ollama: how long one HTTP attempt may take until the response starts (the first token, on a CPU, can take
    /// tens of seconds; a model that is loading takes longer).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Ollama: how long one call may take until its response starts, retries of idempotent requests included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the status probe (<c>GET /api/tags</c>) may take.</summary>
    public TimeSpan StatusTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a status result is reused before the next probe.</summary>
    public TimeSpan StatusCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The Ollama base address as a URI (after <see cref="LlmOptionsSetup"/> applied the connection string), or null.</summary>
    /// <remarks>The path ends with a slash, so relative API paths (<c>api/chat</c>) resolve below it.</remarks>
    public Uri? EndpointUri =>
        Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/")
            : null;

    /// <summary>The model id reported with answers: the Ollama model, or the GGUF file name without extension.</summary>
    public string ModelId => Provider == LlmProvider.LlamaSharp && !string.IsNullOrWhiteSpace(ModelPath)
        ? Path.GetFileNameWithoutExtension(ModelPath)
        : Model;

    /// <summary>Where the model is, for messages: the Ollama address or the GGUF path.</summary>
    public string? Location => Provider switch
    {
        LlmProvider.Ollama => EndpointUri?.ToString() ?? Endpoint,
        LlmProvider.LlamaSharp => ModelPath,
        _ => null,
    };
}

/// <summary>Applies <c>ConnectionStrings:llm</c> to <see cref="LlmOptions"/> and makes a relative <see cref="LlmOptions.ModelPath"/>
/// absolute (from the content root).</summary>
internal sealed class LlmOptionsSetup(IConfiguration configuration, IHostEnvironment environment) : IPostConfigureOptions<LlmOptions>
{
    public void PostConfigure(string? name, LlmOptions options)
    {
        if (LlmConnectionString.TryParse(configuration.GetConnectionString(LlmOptions.ConnectionStringName), out var endpoint, out var model, out _))
        {
            options.Endpoint = endpoint ?? options.Endpoint;
            options.Model = model ?? options.Model;
        }
        if (!string.IsNullOrWhiteSpace(options.ModelPath) && !Path.IsPathRooted(options.ModelPath))
        {
            options.ModelPath = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.ModelPath));
        }
    }
}

/// <summary><c>Endpoint=http://host:11434;Model=llama3</c>, or a bare <c>http://host:11434</c>.</summary>
internal static class LlmConnectionString
{
    /// <summary>False when there is no connection string or it does not parse (<paramref name="error"/> says why).</summary>
    public static bool TryParse(string? connectionString, out string? endpoint, out string? model, out string? error)
    {
        endpoint = null;
        model = null;
        error = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return false;
        }
        if (Uri.TryCreate(connectionString.Trim(), UriKind.Absolute, out var bare) && bare.Scheme is "http" or "https")
        {
            endpoint = bare.ToString();
            return true;
        }
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            if (builder.TryGetValue("Endpoint", out var e) && e?.ToString() is { Length: > 0 } endpointText)
            {
                endpoint = endpointText;
            }
            if (builder.TryGetValue("Model", out var m) && m?.ToString() is { Length: > 0 } modelText)
            {
                model = modelText;
            }
            return true;
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return false;
        }
    }
}

/// <summary>Checked at start (ValidateOnStart): a configured provider must have what it needs.</summary>
internal sealed class LlmOptionsValidator(IConfiguration configuration) : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var failures = new List<string>();
        var connectionString = configuration.GetConnectionString(LlmOptions.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(connectionString) && !LlmConnectionString.TryParse(connectionString, out _, out _, out var error))
        {
            failures.Add($"ConnectionStrings:{LlmOptions.ConnectionStringName} does not parse ({error}); expected Endpoint=http://host:11434;Model=llama3.");
        }

        switch (options.Provider)
        {
            case LlmProvider.Ollama:
                if (string.IsNullOrWhiteSpace(options.Endpoint))
                {
                    failures.Add($"Llm:Provider is Ollama but no endpoint is configured: set ConnectionStrings:{LlmOptions.ConnectionStringName} " +
                        "(Endpoint=http://host:11434;Model=llama3) or Llm:Endpoint.");
                }
                else if (options.EndpointUri is null)
                {
                    failures.Add($"The Ollama endpoint '{options.Endpoint}' is not an absolute http(s) URL.");
                }
                if (string.IsNullOrWhiteSpace(options.Model))
                {
                    failures.Add("Llm:Provider is Ollama but no model is named: set Llm:Model or Model= in the connection string.");
                }
                break;
            case LlmProvider.LlamaSharp:
                if (string.IsNullOrWhiteSpace(options.ModelPath))
                {
                    failures.Add("Llm:Provider is LlamaSharp but Llm:ModelPath is not set: point it at a GGUF file " +
                        "(or set Llm:Provider=None for retrieval-only answers).");
                }
                else if (!File.Exists(options.ModelPath))
                {
                    failures.Add($"Llm:Provider is LlamaSharp but the GGUF file Llm:ModelPath='{options.ModelPath}' does not exist " +
                        "(or set Llm:Provider=None for retrieval-only answers).");
                }
                if (options.ContextSize is < 128)
                {
                    failures.Add($"Llm:ContextSize must be at least 128 tokens (is {options.ContextSize}).");
                }
                if (options.GpuLayerCount < 0)
                {
                    failures.Add($"Llm:GpuLayerCount must not be negative (is {options.GpuLayerCount}).");
                }
                if (options.Threads is < 1)
                {
                    failures.Add($"Llm:Threads must be at least 1 when set (is {options.Threads}).");
                }
                break;
        }

        if (options.Provider != LlmProvider.None)
        {
            if (options.Temperature is < 0 or > 2 || float.IsNaN(options.Temperature))
            {
                failures.Add($"Llm:Temperature must be between 0 and 2 (is {options.Temperature}).");
            }
            if (options.MaxOutputTokens is < 1 or > 32_768)
            {
                failures.Add($"Llm:MaxOutputTokens must be between 1 and 32768 (is {options.MaxOutputTokens}).");
            }
            if (options.AttemptTimeout <= TimeSpan.Zero || options.TotalTimeout <= TimeSpan.Zero)
            {
                failures.Add("Llm:AttemptTimeout and Llm:TotalTimeout must be positive.");
            }
            else if (options.AttemptTimeout > options.TotalTimeout)
            {
                failures.Add($"Llm:AttemptTimeout ({options.AttemptTimeout}) must not be longer than Llm:TotalTimeout ({options.TotalTimeout}).");
            }
            if (options.StatusTimeout <= TimeSpan.Zero || options.StatusCacheDuration < TimeSpan.Zero)
            {
                failures.Add("Llm:StatusTimeout must be positive and Llm:StatusCacheDuration not negative.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
