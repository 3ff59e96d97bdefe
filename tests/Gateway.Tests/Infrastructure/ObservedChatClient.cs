using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.Gateway.Tests.Infrastructure;

/// <summary>Wraps the gateway's registered <see cref="IChatClient"/> and records how each streaming call ended, so a test can
/// see that a client's disconnect reached the language model call.</summary>
public sealed class ObservedChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Updates { get; private set; }

    /// <summary>"completed", "cancelled" or "failed: …" once the first streaming call has ended.</summary>
    public Task<string> Ended => _ended.Task;

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var outcome = "failed: did not finish";
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync())
                    {
                        outcome = "completed";
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    outcome = "cancelled";
                    throw;
                }
                catch (Exception ex)
                {
                    outcome = $"failed: {ex.GetType().Name}";
                    throw;
                }
                Updates++;
                yield return updates.Current;
            }
        }
        finally
        {
            if (outcome == "failed: did not finish" && cancellationToken.IsCancellationRequested)
            {
                outcome = "cancelled";
            }
            _ended.TrySetResult(outcome);
        }
    }

    /// <summary>Replaces the registered chat client with an observed one and returns it through <paramref name="observed"/>.</summary>
    public static Action<IServiceCollection> Install(Action<ObservedChatClient> observed) => services =>
    {
        var registered = services.Last(d => d.ServiceType == typeof(IChatClient));
        services.Remove(registered);
        services.AddSingleton<IChatClient>(provider =>
        {
            var inner = registered.ImplementationFactory is { } factory ? (IChatClient)factory(provider)
                : registered.ImplementationInstance as IChatClient ?? (IChatClient)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!);
            var client = new ObservedChatClient(inner);
            observed(client);
            return client;
        });
    };
}
