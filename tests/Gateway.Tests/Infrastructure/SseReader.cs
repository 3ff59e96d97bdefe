using System.Net.ServerSentEvents;
using System.Text.Json;

namespace AspireMmRag.Gateway.Tests.Infrastructure;

/// <summary>Reads a response body as Server-Sent Events with the runtime's parser.</summary>
public static class SseReader
{
    public static async IAsyncEnumerable<(string Type, JsonElement Data)> ReadAsync(Stream body,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
        {
            yield return (item.EventType, JsonDocument.Parse(item.Data).RootElement.Clone());
        }
    }
}
