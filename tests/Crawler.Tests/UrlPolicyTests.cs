using AspireMmRag.Crawler.Options;
using AspireMmRag.Crawler.Safety;

namespace AspireMmRag.Crawler.Tests;

public sealed class UrlPolicyTests
{
    private static readonly UrlPolicy Default = new(Microsoft.Extensions.Options.Options.Create(new SafetyOptions()));

    [Theory]
    [InlineData("https://en.wikipedia.org/w/api.php?action=query")]
    [InlineData("https://upload.wikimedia.org/wikipedia/commons/thumb/a/ab/x.jpg/800px-x.jpg")]
    [InlineData("https://commons.wikimedia.org/wiki/File:X.jpg")]
    [InlineData("http://EN.Wikipedia.org./wiki/Helsinki")]
    public void The_default_allowlist_allows_Wikimedia(string url)
    {
        Default.EnsureAllowed(new Uri(url));
    }

    [Theory]
    [InlineData("ftp://en.wikipedia.org/pub/file", "scheme")]
    [InlineData("file:///etc/passwd", "scheme")]
    [InlineData("gopher://en.wikipedia.org/", "scheme")]
    [InlineData("https://evil.example.org/", "host")]
    [InlineData("https://en.wikipedia.org.evil.example/", "host")]
    [InlineData("https://de.wikipedia.org/wiki/Helsinki", "host")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "host")]
    [InlineData("http://127.0.0.1:8080/", "host")]
    [InlineData("https://user:secret@en.wikipedia.org/", "credentials")]
    public void Other_urls_are_refused(string url, string reason)
    {
        var error = Assert.Throws<RequestRefusedException>(() => Default.EnsureAllowed(new Uri(url)));
        Assert.Equal(reason, error.Reason);
        Assert.StartsWith("Refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_list_replaces_the_defaults_and_supports_subdomain_wildcards()
    {
        var policy = new UrlPolicy(Microsoft.Extensions.Options.Options.Create(new SafetyOptions { AllowedHosts = ["*.wikimedia.org"] }));

        policy.EnsureAllowed(new Uri("https://upload.wikimedia.org/x.jpg"));
        Assert.Throws<RequestRefusedException>(() => policy.EnsureAllowed(new Uri("https://en.wikipedia.org/")));
        Assert.Throws<RequestRefusedException>(() => policy.EnsureAllowed(new Uri("https://wikimedia.org.evil.example/")));
        Assert.Throws<RequestRefusedException>(() => policy.EnsureAllowed(new Uri("https://notwikimedia.org/")));
    }
}
