using System.Runtime.CompilerServices;
using LLama;
using LLama.Abstractions;
using Microsoft.Extensions.AI;

namespace AspireMmRag.Gateway.Answering.LlamaSharp;

/// <summary>An <see cref="IChatClient"/> over llama.cpp in this process. One <see cref="StatelessExecutor"/> (it makes a fresh
/// context for every inference) serves the calls one at a time: the executor keeps its current context and batch in fields,
/// so two inferences on it at once would share them. Calls wait in line (cancellable) for the one before to finish.</summary>
public sealed class LlamaSharpChatClient(LlamaSharpModel model) : IChatClient
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IChatClient? _chat;

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var weights = await model.GetWeightsAsync(cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_chat is null)
            {
                _chat = new StatelessExecutor(weights, model.Parameters).AsChatClient();
            }
            await foreach (var update in _chat.GetStreamingResponseAsync(messages, options, cancellationToken).WithCancellation(cancellationToken))
            {
                // The executor's output transform holds back a few tokens (to spot anti-prompts) and hands them over
                // after a cancellation: they are dropped.
                cancellationToken.ThrowIfCancellationRequested();
                update.ModelId ??= model.ModelId;
                yield return update;
            }
            // The executor ends its stream quietly when cancelled.
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            _gate.Release();
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null :
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("llamasharp", null, model.ModelId) :
        serviceType.IsInstanceOfType(this) ? this :
        null;

    public void Dispose()
    {
        _chat?.Dispose();
        _gate.Dispose();
    }
}
