using System.Net.Sockets;
using System.Text.Json;
using AspireMmRag.Gateway.Model;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Answering;

/// <summary>Whether the configured language model can answer now (for <c>/api/models</c> and the <c>llm</c> health entry).</summary>
public interface ILanguageModelStatus
{
    Task<LanguageModelInfo> GetStatusAsync(CancellationToken cancellationToken = default);
}

/// <summary><c>Llm:Provider=None</c>: never available.</summary>
internal sealed class NoLanguageModelStatus : ILanguageModelStatus
{
    public static readonly LanguageModelInfo Info = new("none", null, null, false,
        "No language model is configured (Llm:Provider=None): answers are extracted from the sources.");

    public Task<LanguageModelInfo> GetStatusAsync(CancellationToken cancellationToken = default) => Task.FromResult(Info);
}

/// <summary>Asks Ollama for its models (<c>GET /api/tags</c>, within <see cref="LlmOptions.StatusTimeout"/>): available when it
/// answers and lists the configured model. A result is reused for <see cref="LlmOptions.StatusCacheDuration"/>, and one probe
/// runs at a time.</summary>
internal sealed class OllamaModelStatus(IHttpClientFactory httpClientFactory, IOptions<LlmOptions> options, TimeProvider timeProvider)
    : ILanguageModelStatus, IDisposable
{
    private readonly SemaphoreSlim _probe = new(1, 1);
    private LanguageModelInfo? _cached;
    private long _cachedAt;

    public async Task<LanguageModelInfo> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        if (Fresh() is { } cached)
        {
            return cached;
        }
        await _probe.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } again)
            {
                return again;
            }
            var info = await ProbeAsync(cancellationToken);
            _cachedAt = timeProvider.GetTimestamp();
            _cached = info;
            return info;
        }
        finally
        {
            _probe.Release();
        }
    }

    public void Dispose() => _probe.Dispose();

    private LanguageModelInfo? Fresh()
    {
        var cached = _cached;
        return cached is not null && timeProvider.GetElapsedTime(_cachedAt) < options.Value.StatusCacheDuration ? cached : null;
    }

    private async Task<LanguageModelInfo> ProbeAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var endpoint = settings.EndpointUri?.ToString() ?? settings.Endpoint;
        LanguageModelInfo Unavailable(string reason) => new("ollama", settings.Model, endpoint, false, reason);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.StatusTimeout);
        try
        {
            var client = httpClientFactory.CreateClient(Extensions.LlmServiceExtensions.StatusHttpClientName);
            using var response = await client.GetAsync("api/tags", HttpCompletionOption.ResponseContentRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return Unavailable($"Ollama at {endpoint} answered /api/tags with HTTP {(int)response.StatusCode} ({response.StatusCode}).");
            }
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var tags = await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token);
            var models = ModelNames(tags.RootElement);
            if (models.Any(name => IsModel(name, settings.Model)))
            {
                return new LanguageModelInfo("ollama", settings.Model, endpoint, true, null);
            }
            var pulled = models.Count == 0 ? "none is pulled" : "pulled: " + string.Join(", ", models.Take(10));
            return Unavailable($"Ollama at {endpoint} answers, but the model '{settings.Model}' is not pulled ({pulled}).");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Unavailable($"Ollama at {endpoint} did not answer within {settings.StatusTimeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            var detail = (ex.InnerException as SocketException)?.Message ?? ex.Message;
            return Unavailable($"Ollama at {endpoint} is unreachable ({detail}).");
        }
        catch (JsonException)
        {
            return Unavailable($"{endpoint} answered /api/tags with something other than Ollama's model list.");
        }
    }

    private static List<string> ModelNames(JsonElement root)
    {
        var names = new List<string>();
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("models", out var models) && models.ValueKind == JsonValueKind.Array)
        {
            foreach (var model in models.EnumerateArray())
            {
                foreach (var property in (string[])["name", "model"])
                {
                    if (model.ValueKind == JsonValueKind.Object && model.TryGetProperty(property, out var value) &&
                        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } name && !names.Contains(name))
                    {
                        names.Add(name);
                    }
                }
            }
        }
        return names;
    }

    /// <summary>Ollama names carry a tag (<c>llama3:latest</c>); a configured name without one means <c>:latest</c>.</summary>
    internal static bool IsModel(string listed, string configured)
    {
        static string WithTag(string name) => name.Contains(':') ? name : name + ":latest";
        return string.Equals(WithTag(listed.Trim()), WithTag(configured.Trim()), StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>LlamaSharp: available once the GGUF file has loaded.</summary>
internal sealed class LlamaSharpModelStatus(LlamaSharp.LlamaSharpModel model) : ILanguageModelStatus
{
    public Task<LanguageModelInfo> GetStatusAsync(CancellationToken cancellationToken = default) => Task.FromResult(model.Status);
}
