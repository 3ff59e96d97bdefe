using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AspireMmRag.AppHost.Extensions.Ollama;

/// <summary>
/// Talks to Ollama's documented API for one model: <c>POST /api/show</c> (is it there?) and <c>POST /api/pull</c> with
/// <c>stream: true</c>, whose NDJSON lines (<c>{status, digest, total, completed}</c>, then <c>{status: "success"}</c>, or
/// <c>{error}</c>) are reported as whole percentages, each once.
/// </summary>
public sealed class OllamaModelPuller(HttpClient http)
{
    /// <summary>Whether the server has <paramref name="model"/>.</summary>
    public async Task<bool> HasModelAsync(string model, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/show", new { model }, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Pulls <paramref name="model"/>; <paramref name="progress"/> gets each new whole percentage of the layer being
    /// downloaded. Returns when the server says success.</summary>
    /// <exception cref="OllamaPullException">The server answered an error (an unknown model, no network).</exception>
    public async Task PullAsync(string model, Func<int, Task> progress, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/pull") { Content = JsonContent.Create(new { model, stream = true }) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new OllamaPullException($"pulling '{model}' answered HTTP {(int)response.StatusCode}: {ErrorOf(body) ?? body}");
        }
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var last = -1;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            var status = JsonSerializer.Deserialize<PullStatus>(line, JsonSerializerOptions.Web)
                ?? throw new OllamaPullException($"pulling '{model}' sent an unreadable line: {line}");
            if (status.Error is { Length: > 0 } error)
            {
                throw new OllamaPullException($"pulling '{model}' failed: {error}");
            }
            if (status.Status == "success")
            {
                return;
            }
            if (status.Total is > 0 && status.Completed is { } completed)
            {
                var percent = (int)Math.Clamp(completed * 100 / status.Total.Value, 0, 100);
                if (percent != last)
                {
                    last = percent;
                    await progress(percent);
                }
            }
        }
        throw new OllamaPullException($"pulling '{model}' ended without success.");
    }

    private static string? ErrorOf(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<PullStatus>(body, JsonSerializerOptions.Web)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record PullStatus(
        [property: JsonPropertyName("status")] string? Status,
        [property: JsonPropertyName("total")] long? Total,
        [property: JsonPropertyName("completed")] long? Completed,
        [property: JsonPropertyName("error")] string? Error);
}

/// <summary>Ollama refused or failed a pull.</summary>
public sealed class OllamaPullException(string message) : Exception(message);
