using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AspireMmRag.Gateway.Answering.Ollama;

/// <summary>Makes an Ollama stream that ends without its final <c>"done": true</c> chunk an error, and a cancelled one an
/// <see cref="OperationCanceledException"/>. OllamaSharp ends its stream quietly in both cases: when cancelled, and when
/// Ollama reports an error in the stream (<c>{"error": "…"}</c>) and closes it.</summary>
public sealed class OllamaStreamGuard(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var done = false;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).WithCancellation(cancellationToken))
        {
            done |= IsFinal(update);
            yield return update;
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (!done)
        {
            throw new OllamaStreamException("The Ollama stream ended before its final chunk (the server reported an error or closed the connection).");
        }
    }

    private static bool IsFinal(ChatResponseUpdate update) =>
        update.FinishReason is not null || update.RawRepresentation is OllamaSharp.Models.Chat.ChatResponseStream { Done: true };
}

/// <summary>An Ollama stream broke off.</summary>
public sealed class OllamaStreamException(string message) : IOException(message);
