using Grpc.Core;
using Grpc.Net.Client;

namespace AspireMmRag.Embedding;

public sealed partial class EmbedderChannelPool
{
    public sealed class PooledChannel(string endpoint, GrpcChannel channel)
    {
        public string Endpoint { get; } = endpoint;
        public GrpcChannel Channel { get; } = channel;

        /// <summary>Set aside after repeated UNAVAILABLE, until a probe or a call on it gets an answer.</summary>
        public bool IsEjected => Volatile.Read(ref Ejected) == 1;

        internal int InFlight;
        internal int ConsecutiveUnavailable;
        internal int Ejected;
    }

    /// <summary>A channel borrowed for one call: report how the call ended (<see cref="Report"/>), then dispose it.</summary>
    public readonly struct ChannelLease(EmbedderChannelPool pool, PooledChannel channel) : IDisposable
    {
        public GrpcChannel Channel => channel.Channel;
        public string Endpoint => channel.Endpoint;

        /// <summary>Tells the pool the call's status (<see cref="StatusCode.OK"/> for success), so failing connections are set aside.</summary>
        public void Report(StatusCode status) => pool.Report(channel, status);

        public void Dispose() => Interlocked.Decrement(ref channel.InFlight);
    }
}
