using System.Net;

namespace AspireMmRag.Crawler.Options;

/// <summary>What outgoing requests may reach. Bound from <c>Crawler:Safety</c>.</summary>
public sealed class SafetyOptions
{
    public const string SectionName = "Crawler:Safety";

    public static readonly IReadOnlyList<string> DefaultAllowedHosts = ["en.wikipedia.org", "upload.wikimedia.org", "commons.wikimedia.org"];

    /// <summary>Hosts requests may go to (exact names, or <c>*.example.org</c> for subdomains). Unset: <see cref="DefaultAllowedHosts"/>;
    /// a configured list replaces the defaults.</summary>
    public string[]? AllowedHosts { get; set; }

    /// <summary>Private or otherwise refused ranges (CIDR, e.g. <c>127.0.0.1/32</c>) an operator explicitly allows. Empty by default.</summary>
    public string[]? AllowedPrivateNetworks { get; set; }

    /// <summary>Redirects followed per request; each target is checked like the original URL.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>Time allowed to open a TCP connection.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<string> EffectiveAllowedHosts => AllowedHosts ?? DefaultAllowedHosts;

    /// <summary>The parsed <see cref="AllowedPrivateNetworks"/>; a bare address means that one address.</summary>
    /// <exception cref="FormatException">An entry is not a CIDR range.</exception>
    public IReadOnlyList<IPNetwork> ParseAllowedPrivateNetworks() =>
        (AllowedPrivateNetworks ?? []).Where(entry => !string.IsNullOrWhiteSpace(entry)).Select(ParseNetwork).ToArray();

    private static IPNetwork ParseNetwork(string entry)
    {
        var text = entry.Trim();
        if (!text.Contains('/') && IPAddress.TryParse(text, out var single))
        {
            return new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }
        // IPNetwork.TryParse masks host bits away ("10.0.0.1/8" → 10.0.0.0/8); refuse that instead of guessing what was meant.
        return IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text[..text.IndexOf('/')], out var written) && written.Equals(network.BaseAddress)
            ? network
            : throw new FormatException($"Crawler:Safety:AllowedPrivateNetworks: '{entry}' is not a CIDR range such as 127.0.0.1/32 (host bits must be zero).");
    }
}
