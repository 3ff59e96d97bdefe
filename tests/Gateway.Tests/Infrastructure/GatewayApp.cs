using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.Gateway.Tests.Infrastructure;

/// <summary>The real gateway (its Program, DI and pipeline) on the in-memory test server, reading the fixture's store and media
/// through the embedder process; <paramref name="settings"/> override or add configuration (e.g. the language model), and
/// <paramref name="configureServices"/> can wrap a registered service to observe it.</summary>
public sealed class GatewayApp(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        if (configureServices is not null)
        {
            builder.ConfigureTestServices(configureServices);
        }
    }
}
