using System.Net;
using System.Net.Sockets;

namespace AspireMmRag.Crawler.Safety;

/// <summary>
/// Which IP addresses the crawler may connect to: public unicast only, unless an operator allows a range explicitly
/// (<c>Crawler:Safety:AllowedPrivateNetworks</c>). Refused by default: loopback, private (RFC 1918), carrier-grade NAT,
/// link-local (including the 169.254.169.254 cloud metadata endpoint), unique-local IPv6, multicast, unspecified and reserved
/// ranges — also when written as IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 addresses.
/// </summary>
public sealed class IpAddressPolicy(IReadOnlyList<IPNetwork> allowedPrivateNetworks)
{
    public static readonly IPAddress CloudMetadataAddress = IPAddress.Parse("169.254.169.254");

    private static readonly (IPNetwork Network, string Reason)[] RefusedIPv4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "private"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.0.0.0/24"), "reserved"),
        (IPNetwork.Parse("192.0.2.0/24"), "reserved"),
        (IPNetwork.Parse("192.88.99.0/24"), "reserved"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("198.18.0.0/15"), "reserved"),
        (IPNetwork.Parse("198.51.100.0/24"), "reserved"),
        (IPNetwork.Parse("203.0.113.0/24"), "reserved"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
    ];

    private static readonly (IPNetwork Network, string Reason)[] RefusedIPv6 =
    [
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("::/96"), "reserved"), // IPv4-compatible (deprecated)
        (IPNetwork.Parse("64:ff9b:1::/48"), "private"),
        (IPNetwork.Parse("100::/64"), "reserved"),
        (IPNetwork.Parse("2001::/32"), "reserved"), // Teredo tunnels
        (IPNetwork.Parse("2001:db8::/32"), "reserved"),
        (IPNetwork.Parse("fc00::/7"), "unique-local"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "link-local"), // site-local (deprecated)
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>The policy with nothing explicitly allowed.</summary>
    public static IpAddressPolicy Default { get; } = new([]);

    /// <summary>Null when <paramref name="address"/> may be connected to; otherwise why not (a short tag).</summary>
    public string? Check(IPAddress address)
    {
        var embedded = EmbeddedIPv4(address);
        foreach (var network in allowedPrivateNetworks)
        {
            if (network.Contains(address) || (embedded is not null && network.Contains(embedded)))
            {
                return null;
            }
        }
        return Classify(address);
    }

    /// <summary>Null for a public unicast address; otherwise the kind of address that makes it refused by default.</summary>
    public static string? Classify(IPAddress address)
    {
        if (EmbeddedIPv4(address) is { } v4)
        {
            return ClassifyIPv4(v4);
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ClassifyIPv4(address);
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "unsupported-family";
        }
        foreach (var (network, reason) in RefusedIPv6)
        {
            if (network.Contains(address))
            {
                return reason;
            }
        }
        return null;
    }

    private static string? ClassifyIPv4(IPAddress address)
    {
        if (address.Equals(CloudMetadataAddress))
        {
            return "cloud-metadata";
        }
        foreach (var (network, reason) in RefusedIPv4)
        {
            if (network.Contains(address))
            {
                return reason;
            }
        }
        return null;
    }

    /// <summary>The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) or 6to4 (2002:AABB:CCDD::) address.</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }
        if (SixToFour.Contains(address))
        {
            return new IPAddress(bytes.AsSpan(2, 4));
        }
        return null;
    }
}
