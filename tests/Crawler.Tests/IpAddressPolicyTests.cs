using System.Net;
using AspireMmRag.Crawler.Options;
using AspireMmRag.Crawler.Safety;

namespace AspireMmRag.Crawler.Tests;

public sealed class IpAddressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.45.3.2", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.254", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "private")]
    [InlineData("169.254.169.254", "cloud-metadata")]
    [InlineData("169.254.10.20", "link-local")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("198.18.0.1", "reserved")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd00:ec2::254", "unique-local")] // AWS metadata over IPv6
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:10.1.2.3", "private")]
    [InlineData("::ffff:169.254.169.254", "cloud-metadata")]
    [InlineData("::ffff:0.0.0.0", "unspecified")]
    [InlineData("64:ff9b::a9fe:a9fe", "cloud-metadata")] // NAT64 form of 169.254.169.254
    [InlineData("2002:7f00:1::1", "loopback")] // 6to4 form of 127.0.0.1
    [InlineData("::7f00:1", "reserved")] // IPv4-compatible (deprecated)
    public void The_default_policy_refuses_non_public_addresses(string address, string reason)
    {
        Assert.Equal(reason, IpAddressPolicy.Default.Check(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("208.80.154.224")] // en.wikipedia.org
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("192.169.0.1")]
    [InlineData("169.255.0.1")]
    [InlineData("2620:0:861:ed1a::1")] // Wikimedia IPv6
    [InlineData("::ffff:208.80.154.224")]
    public void The_default_policy_allows_public_addresses(string address)
    {
        Assert.Null(IpAddressPolicy.Default.Check(IPAddress.Parse(address)));
    }

    [Fact]
    public void An_explicitly_allowed_private_network_is_allowed_and_nothing_else()
    {
        var options = new SafetyOptions { AllowedPrivateNetworks = ["127.0.0.1/32", "10.20.0.0/16"] };
        var policy = new IpAddressPolicy(options.ParseAllowedPrivateNetworks());

        Assert.Null(policy.Check(IPAddress.Parse("127.0.0.1")));
        Assert.Null(policy.Check(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.Null(policy.Check(IPAddress.Parse("10.20.30.40")));
        Assert.Equal("loopback", policy.Check(IPAddress.Parse("127.0.0.2")));
        Assert.Equal("loopback", policy.Check(IPAddress.Parse("::1")));
        Assert.Equal("private", policy.Check(IPAddress.Parse("10.21.0.1")));
        Assert.Equal("cloud-metadata", policy.Check(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void Allowed_private_networks_must_be_cidr_ranges()
    {
        Assert.Equal([new IPNetwork(IPAddress.Loopback, 32)], new SafetyOptions { AllowedPrivateNetworks = ["127.0.0.1"] }.ParseAllowedPrivateNetworks());
        Assert.Throws<FormatException>(() => new SafetyOptions { AllowedPrivateNetworks = ["10.0.0.1/8"] }.ParseAllowedPrivateNetworks());
        Assert.Throws<FormatException>(() => new SafetyOptions { AllowedPrivateNetworks = ["localhost"] }.ParseAllowedPrivateNetworks());
    }
}
