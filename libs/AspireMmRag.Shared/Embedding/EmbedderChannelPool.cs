using System.Net;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace AspireMmRag.Embedding;

/// <summary>
/// Client-side balancing over embedder replicas: resolves the embedder's endpoints through service discovery, opens
/// <see cref="EmbedderClientOptions.ConnectionsPerEndpoint"/> HTTP/2 connections (one <see cref="GrpcChannel"/> each) to every
/// endpoint, and gives each call the channel with the fewest calls in flight (ties rotate). The list is resolved again
/// every <see cref="EmbedderClientOptions.ResolveInterval"/>.
/// </summary>
public sealed partial class EmbedderChannelPool(
    ServiceEndpointResolver resolver,
    IOptions<EmbedderClientOptions> options,
    ILogger<EmbedderChannelPool> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _resolving = new(1, 1);
    private PooledChannel[] _channels = [];
    private string[] _endpoints = [];
    private DateTimeOffset _resolvedAt = DateTimeOffset.MinValue;
    private int _next;
    private bool _disposed;

    /// <summary>The endpoints calls currently spread over.</summary>
    public IReadOnlyList<string> Endpoints => _endpoints;

    /// <summary>One lease per pooled connection (each may reach another replica behind a proxy), for calls that ask every replica.</summary>
    public async ValueTask<IReadOnlyList<ChannelLease>> AcquireEachAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_channels.Length == 0 || DateTimeOffset.UtcNow - _resolvedAt > options.Value.ResolveInterval)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        return _channels.Select(channel =>
        {
            Interlocked.Increment(ref channel.InFlight);
            return new ChannelLease(channel);
        }).ToArray();
    }

    public async ValueTask<ChannelLease> AcquireAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_channels.Length == 0 || DateTimeOffset.UtcNow - _resolvedAt > options.Value.ResolveInterval)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        var channels = _channels;
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)channels.Length);
        var best = channels[start];
        for (var i = 1; i < channels.Length; i++)
        {
            var candidate = channels[(start + i) % channels.Length];
            if (Volatile.Read(ref candidate.InFlight) < Volatile.Read(ref best.InFlight))
            {
                best = candidate;
            }
        }
        Interlocked.Increment(ref best.InFlight);
        return new ChannelLease(best);
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _resolving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_channels.Length > 0 && DateTimeOffset.UtcNow - _resolvedAt <= options.Value.ResolveInterval)
            {
                return;
            }

            var settings = options.Value;
            string[] endpoints;
            try
            {
                var source = await resolver.GetEndpointsAsync(settings.Address.ToString(), cancellationToken).ConfigureAwait(false);
                endpoints = source.Endpoints.Select(endpoint => ToAddress(endpoint.EndPoint, settings.Address)).Distinct().Order().ToArray();
            }
            catch (Exception ex) when (ex is not OperationCanceledException && _channels.Length > 0)
            {
                // Keep serving from the last known endpoints.
                LogResolveFailed(logger, ex, settings.Address);
                _resolvedAt = DateTimeOffset.UtcNow;
                return;
            }

            if (endpoints.Length == 0)
            {
                throw new InvalidOperationException($"Service discovery found no endpoint for the embedder at '{settings.Address}'.");
            }
            if (endpoints.SequenceEqual(_endpoints))
            {
                _resolvedAt = DateTimeOffset.UtcNow;
                return;
            }

            var old = _channels;
            _channels = endpoints
                .SelectMany(endpoint => Enumerable.Range(0, Math.Max(1, settings.ConnectionsPerEndpoint)).Select(_ => new PooledChannel(endpoint, CreateChannel(endpoint, settings))))
                .ToArray();
            _endpoints = endpoints;
            _resolvedAt = DateTimeOffset.UtcNow;
            LogResolved(logger, settings.Address, string.Join(", ", endpoints), _channels.Length);
            // Calls already running on the old channels finish: the channels are closed only after a grace period.
            _ = DisposeLaterAsync(old);
        }
        finally
        {
            _resolving.Release();
        }
    }

    private static GrpcChannel CreateChannel(string endpoint, EmbedderClientOptions settings) =>
        GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
        {
            // One handler per channel = one TCP connection per channel, which is what spreads load behind a proxy.
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                EnableMultipleHttp2Connections = true,
            },
            MaxReceiveMessageSize = settings.MaxMessageBytes,
            MaxSendMessageSize = settings.MaxMessageBytes,
            DisposeHttpClient = true,
        });

    private static string ToAddress(EndPoint endPoint, Uri requested)
    {
        var scheme = requested.Scheme is "https" ? "https" : "http";
        return endPoint switch
        {
            UriEndPoint uri => uri.Uri.GetLeftPart(UriPartial.Authority),
            DnsEndPoint dns => $"{scheme}://{dns.Host}:{dns.Port}",
            IPEndPoint ip => $"{scheme}://{ip}",
            _ => throw new InvalidOperationException($"Unsupported endpoint type {endPoint.GetType().Name} for the embedder."),
        };
    }

    private static async Task DisposeLaterAsync(PooledChannel[] channels)
    {
        if (channels.Length == 0)
        {
            return;
        }
        await Task.Delay(TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        foreach (var channel in channels)
        {
            channel.Channel.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var channel in _channels)
        {
            channel.Channel.Dispose();
        }
        _channels = [];
        _resolving.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedder {Address} resolved to {Endpoints}: {Channels} connections")]
    private static partial void LogResolved(ILogger logger, Uri address, string endpoints, int channels);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resolving the embedder {Address} failed; keeping the known endpoints")]
    private static partial void LogResolveFailed(ILogger logger, Exception exception, Uri address);

    public sealed class PooledChannel(string endpoint, GrpcChannel channel)
    {
        public string Endpoint { get; } = endpoint;
        public GrpcChannel Channel { get; } = channel;
        internal int InFlight;
    }

    /// <summary>A channel borrowed for one call; dispose it when the call ends.</summary>
    public readonly struct ChannelLease(PooledChannel channel) : IDisposable
    {
        public GrpcChannel Channel => channel.Channel;
        public string Endpoint => channel.Endpoint;
        public void Dispose() => Interlocked.Decrement(ref channel.InFlight);
    }
}
