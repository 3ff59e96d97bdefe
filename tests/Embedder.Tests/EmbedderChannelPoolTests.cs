using AspireMmRag.Embedding;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace AspireMmRag.Embedder.Tests;

/// <summary>The pool on its own: connections that keep failing with UNAVAILABLE are set aside and probed back, and a pool
/// disposed while a call is being given a channel answers <see cref="ObjectDisposedException"/>.</summary>
public sealed class EmbedderChannelPoolTests
{
    [Fact]
    public async Task A_pool_disposed_while_a_channel_is_being_picked_throws_ObjectDisposedException()
    {
        await using var services = Services(("services:embedder:http:0", "http://127.0.0.1:9"));
        var options = new HookedOptions(new EmbedderClientOptions());
        var pool = new EmbedderChannelPool(services.GetRequiredService<ServiceEndpointResolver>(), options, NullLogger<EmbedderChannelPool>.Instance);
        (await pool.AcquireAsync(CancellationToken.None)).Dispose();

        // Disposal lands after the call's "disposed?" check, when it reads its settings.
        options.OnNextRead = () => _ = pool.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => (await pool.AcquireAsync(CancellationToken.None)).Dispose());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pool.AcquireEachAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Repeated_unavailable_sets_a_connection_aside_and_a_probe_brings_it_back()
    {
        var noClip = ClipModelDirectory.Empty();
        await using var live = new EmbedderHost(EmbedderHost.Settings(noClip.Path), useKestrel: true);
        await live.WaitForModelsAsync(expectClip: false);
        await using var services = Services(("services:embedder:http:0", live.Address), ("services:embedder:http:1", "http://127.0.0.1:9"));
        var settings = new EmbedderClientOptions { ConnectionsPerEndpoint = 1, EjectAfterUnavailable = 3, ProbeInterval = TimeSpan.FromMilliseconds(100) };
        await using var pool = new EmbedderChannelPool(services.GetRequiredService<ServiceEndpointResolver>(), global::Microsoft.Extensions.Options.Options.Create(settings), NullLogger<EmbedderChannelPool>.Instance);

        // Three UNAVAILABLE in a row on the live replica's connection: it is set aside while the other is healthy...
        for (var i = 0; i < 3; i++)
        {
            using var lease = await pool.AcquireAsync(CancellationToken.None, avoidEndpoint: "http://127.0.0.1:9");
            Assert.Equal(live.Address, lease.Endpoint);
            lease.Report(StatusCode.Unavailable);
        }
        using (var lease = await pool.AcquireAsync(CancellationToken.None))
        {
            Assert.Equal("http://127.0.0.1:9", lease.Endpoint);
        }

        // ...until its probe (DescribeModels) is answered.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var lease = await pool.AcquireAsync(timeout.Token, avoidEndpoint: "http://127.0.0.1:9");
            if (lease.Endpoint == live.Address)
            {
                break;
            }
            await Task.Delay(50, timeout.Token);
        }
        noClip.Dispose();
    }

    [Fact]
    public async Task While_every_connection_is_set_aside_calls_still_get_one()
    {
        await using var services = Services(("services:embedder:http:0", "http://127.0.0.1:9"));
        var settings = new EmbedderClientOptions { ConnectionsPerEndpoint = 1, EjectAfterUnavailable = 1, ProbeInterval = TimeSpan.FromMinutes(5) };
        await using var pool = new EmbedderChannelPool(services.GetRequiredService<ServiceEndpointResolver>(), global::Microsoft.Extensions.Options.Options.Create(settings), NullLogger<EmbedderChannelPool>.Instance);
        using (var lease = await pool.AcquireAsync(CancellationToken.None))
        {
            lease.Report(StatusCode.Unavailable);
        }
        using var again = await pool.AcquireAsync(CancellationToken.None);
        Assert.Equal("http://127.0.0.1:9", again.Endpoint);
    }

    private static ServiceProvider Services(params (string Key, string Value)[] settings) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build())
            .AddLogging()
            .AddServiceDiscovery()
            .BuildServiceProvider();

    /// <summary>Options that run a hook the next time they are read.</summary>
    private sealed class HookedOptions(EmbedderClientOptions value) : IOptions<EmbedderClientOptions>
    {
        private Action? _onNextRead;

        public Action OnNextRead
        {
            set => _onNextRead = value;
        }

        public EmbedderClientOptions Value
        {
            get
            {
                Interlocked.Exchange(ref _onNextRead, null)?.Invoke();
                return value;
            }
        }
    }
}
