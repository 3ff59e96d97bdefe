using System.Net;
using System.Net.Sockets;
using AspireMmRag.Crawler.Telemetry;

namespace AspireMmRag.Crawler.Safety;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of the crawler's HTTP client: resolves the host itself, checks every
/// address with the <see cref="IpAddressPolicy"/> and connects only to an address that passed. The address checked is the one
/// connected to, so a DNS answer that changes between a check and the connection (DNS rebinding) cannot slip through.
/// </summary>
public sealed class SafeConnector(IpAddressPolicy policy, CrawlerTelemetry telemetry, TimeSpan connectTimeout)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var port = context.DnsEndPoint.Port;

        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);

        var allowed = new List<IPAddress>(addresses.Length);
        string? refusal = null;
        foreach (var address in addresses)
        {
            if (policy.Check(address) is { } reason)
            {
                refusal ??= $"{address} is {reason}";
            }
            else
            {
                allowed.Add(address);
            }
        }
        if (allowed.Count == 0)
        {
            telemetry.RequestRefused("address");
            throw new RequestRefusedException(
                addresses.Length == 0
                    ? $"Refused '{host}': it resolves to no address."
                    : $"Refused '{host}': {refusal}; only public addresses are crawled (an operator can allow a range in Crawler:Safety:AllowedPrivateNetworks).",
                "address");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        Exception? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                last = new TimeoutException($"Connecting to {address}:{port} timed out after {connectTimeout.TotalSeconds:0.#} s.", ex);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}
