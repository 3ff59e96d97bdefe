using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspireMmRag.Gateway.Tests.Infrastructure;

/// <summary>The real gateway (its Program, DI and pipeline) on the in-memory test server, reading the fixture's store and media
/// through the embedder process; <paramref name="settings"/> override or add configuration (e.g. the language model).</summary>
public sealed class GatewayApp(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
