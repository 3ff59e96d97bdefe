using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace AspireMmRag.Embedding;

/// <summary>
/// Client-side balancing over embedder replicas: resolves the embedder's endpoints through service discovery, opens
/// <see cref="EmbedderClientOptions.ConnectionsPerEndpoint"/> HTTP/2 connections (one <see cref="GrpcChannel"/> each) to every
/// endpoint, and gives each call the healthy channel with the fewest calls in flight (ties rotate), preferring another
/// endpoint than the one a retried call just failed on. A connection whose calls fail with UNAVAILABLE
/// <see cref="EmbedderClientOptions.EjectAfterUnavailable"/> times in a row is set aside and probed (DescribeModels) after
/// <see cref="EmbedderClientOptions.ProbeInterval"/>, doubling up to <see cref="EmbedderClientOptions.MaxProbeInterval"/>,
/// until it answers; while every connection is set aside, calls still go to them. The list is resolved again every
/// <see cref="EmbedderClientOptions.ResolveInterval"/>. After disposal every call gets <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed partial class EmbedderChannelPool(
    ServiceEndpointResolver resolver,
    IOptions<EmbedderClientOptions> options,
    ILogger<EmbedderChannelPool> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _resolving = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private PooledChannel[] _channels = [];
    private string[] _endpoints = [];
    private DateTimeOffset _resolvedAt = DateTimeOffset.MinValue;
    private int _next;
    private volatile bool _disposed;

    /// <summary>The endpoints calls currently spread over.</summary>
    public IReadOnlyList<string> Endpoints => _endpoints;

    /// <summary>One lease per pooled connection (each may reach another replica behind a proxy), for calls that ask every replica.</summary>
    public async ValueTask<IReadOnlyList<ChannelLease>> AcquireEachAsync(CancellationToken cancellationToken)
    {
        var channels = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        return channels.Select(channel =>
        {
            Interlocked.Increment(ref channel.InFlight);
            return new ChannelLease(this, channel);
        }).ToArray();
    }

    /// <summary>A channel for one call: healthy, on another endpoint than <paramref name="avoidEndpoint"/> when one is, with
    /// the fewest calls in flight.</summary>
    public async ValueTask<ChannelLease> AcquireAsync(CancellationToken cancellationToken, string? avoidEndpoint = null)
    {
        var channels = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)channels.Length);
        var best = Pick(channels, start, channel => !channel.IsEjected && channel.Endpoint != avoidEndpoint)
            ?? Pick(channels, start, channel => !channel.IsEjected)
            ?? Pick(channels, start, _ => true)!;
        Interlocked.Increment(ref best.InFlight);
        return new ChannelLease(this, best);
    }

    private static PooledChannel? Pick(PooledChannel[] channels, int start, Func<PooledChannel, bool> eligible)
    {
        PooledChannel? best = null;
        for (var i = 0; i < channels.Length; i++)
        {
            var candidate = channels[(start + i) % channels.Length];
            if (eligible(candidate) && (best is null || Volatile.Read(ref candidate.InFlight) < Volatile.Read(ref best.InFlight)))
            {
                best = candidate;
            }
        }
        return best;
    }

    /// <summary>The current channels (resolved again when due); never empty.</summary>
    private async ValueTask<PooledChannel[]> CurrentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Volatile.Read(ref _channels).Length == 0 || DateTimeOffset.UtcNow - _resolvedAt > options.Value.ResolveInterval)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        var channels = Volatile.Read(ref _channels);
        ObjectDisposedException.ThrowIf(_disposed || channels.Length == 0, this);
        return channels;
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _resolving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
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

            ObjectDisposedException.ThrowIf(_disposed, this);
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
            Volatile.Write(ref _channels, endpoints
                .SelectMany(endpoint => Enumerable.Range(0, Math.Max(1, settings.ConnectionsPerEndpoint)).Select(_ => new PooledChannel(endpoint, CreateChannel(endpoint, settings))))
                .ToArray());
            _endpoints = endpoints;
            _resolvedAt = DateTimeOffset.UtcNow;
            LogResolved(logger, settings.Address, string.Join(", ", endpoints), _channels.Length);
            // Calls already running on the old channels finish: the channels are closed only after a grace period.
            _ = DisposeLaterAsync(old, _disposing.Token);
        }
        finally
        {
            _resolving.Release();
        }
    }

    /// <summary>What a call on <paramref name="channel"/> ended with: OK or another answer resets its failure count,
    /// UNAVAILABLE counts towards setting it aside; CANCELLED and DEADLINE_EXCEEDED (the caller's doing) count for nothing.</summary>
    private void Report(PooledChannel channel, StatusCode status)
    {
        switch (status)
        {
            case StatusCode.Cancelled or StatusCode.DeadlineExceeded:
                return;
            case StatusCode.Unavailable:
                if (Interlocked.Increment(ref channel.ConsecutiveUnavailable) >= Math.Max(1, options.Value.EjectAfterUnavailable)
                    && Interlocked.CompareExchange(ref channel.Ejected, 1, 0) == 0 && !_disposed)
                {
                    LogEjected(logger, channel.Endpoint, channel.ConsecutiveUnavailable);
                    _ = ProbeAsync(channel, _disposing.Token);
                }
                return;
            default:
                Interlocked.Exchange(ref channel.ConsecutiveUnavailable, 0);
                if (Interlocked.Exchange(ref channel.Ejected, 0) == 1)
                {
                    LogReinstated(logger, channel.Endpoint);
                }
                return;
        }
    }

    private async Task ProbeAsync(PooledChannel channel, CancellationToken stopping)
    {
        var settings = options.Value;
        var delay = settings.ProbeInterval;
        try
        {
            while (channel.IsEjected && Array.IndexOf(Volatile.Read(ref _channels), channel) >= 0)
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
                try
                {
                    var client = new Grpc.Embedder.EmbedderClient(channel.Channel);
                    await client.DescribeModelsAsync(new Grpc.DescribeModelsRequest(),
                        new CallOptions(deadline: DateTime.UtcNow + settings.ProbeTimeout, cancellationToken: stopping)).ConfigureAwait(false);
                    Report(channel, StatusCode.OK);
                    return;
                }
                catch (RpcException) when (!stopping.IsCancellationRequested)
                {
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxProbeInterval.Ticks));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // The pool is being disposed, or the channel was retired and closed.
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

    private static async Task DisposeLaterAsync(PooledChannel[] channels, CancellationToken stopping)
    {
        if (channels.Length == 0)
        {
            return;
        }
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(2), stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var channel in channels)
        {
            channel.Channel.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await _disposing.CancelAsync().ConfigureAwait(false);
        foreach (var channel in Interlocked.Exchange(ref _channels, []))
        {
            channel.Channel.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedder {Address} resolved to {Endpoints}: {Channels} connections")]
    private static partial void LogResolved(ILogger logger, Uri address, string endpoints, int channels);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resolving the embedder {Address} failed; keeping the known endpoints")]
    private static partial void LogResolveFailed(ILogger logger, Exception exception, Uri address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A connection to the embedder at {Endpoint} is set aside after {Failures} UNAVAILABLE calls in a row; probing it")]
    private static partial void LogEjected(ILogger logger, string endpoint, int failures);

    [LoggerMessage(Level = LogLevel.Information, Message = "A connection to the embedder at {Endpoint} answers again and is back in use")]
    private static partial void LogReinstated(ILogger logger, string endpoint);
}
