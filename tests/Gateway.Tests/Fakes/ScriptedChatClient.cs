using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AspireMmRag.Gateway.Tests.Fakes;

/// <summary>An <see cref="IChatClient"/> that streams the given chunks, optionally throwing <see cref="Failure"/> after
/// <see cref="FailAfterChunks"/> of them (0: before the first). It keeps the messages and options of every call.</summary>
public sealed class ScriptedChatClient(params string[] chunks) : IChatClient
{
    public IReadOnlyList<string> Chunks { get; } = chunks;
    public Exception? Failure { get; init; }
    public int FailAfterChunks { get; init; }
    public List<(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Add(([.. messages], options));
        for (var i = 0; i < Chunks.Count; i++)
        {
            if (Failure is not null && i == FailAfterChunks)
            {
                throw Failure;
            }
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, Chunks[i]);
        }
        if (Failure is not null && FailAfterChunks >= Chunks.Count)
        {
            throw Failure;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
