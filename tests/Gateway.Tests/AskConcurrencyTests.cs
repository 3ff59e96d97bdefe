using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.Gateway.Tests;

/// <summary>The ask rate limiter: with every slot busy and the queue full, the next question gets 429 with Retry-After at
/// once instead of piling up another language-model call.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AskConcurrencyTests(GatewayFixture fixture)
{
    [Fact]
    public async Task A_burst_beyond_the_limit_and_queue_gets_429_with_retry_after()
    {
        var model = new BlockingChatClient();
        await using var gateway = new GatewayApp(
            fixture.Settings(("Gateway:AskConcurrencyLimit", "1"), ("Gateway:AskQueueLimit", "1")),
            services => services.AddSingleton<IChatClient>(model));
        using var client = gateway.CreateClient();

        var first = client.PostAsJsonAsync("/api/ask", new AskRequest { Question = "Which church is carved into solid rock?" });
        await model.Started.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = client.PostAsJsonAsync("/api/ask", new AskRequest { Question = "Who created The Sopranos?" });
        await Task.Delay(200); // let the second request take the queue's only place

        using var rejected = await client.PostAsJsonAsync("/api/ask", new AskRequest { Question = "When was the first iPhone announced?" });
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.NotNull(rejected.Headers.RetryAfter);
        Assert.Equal("application/problem+json", rejected.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await rejected.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));

        model.Release();
        using var firstResponse = await first;
        using var queuedResponse = await queued;
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, queuedResponse.StatusCode);
    }

    /// <summary>Holds every answer until <see cref="Release"/>.</summary>
    private sealed class BlockingChatClient : IChatClient
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Release() => _release.TrySetResult();

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            _started.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "It is carved into rock [1].");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
