using AspireMmRag.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.Gateway.Tests.Web;

/// <summary>The real gateway (<see cref="GatewayApp"/>: its Program, DI and pipeline) served by Kestrel on a free loopback
/// port, so a browser can load the page and call the API over real HTTP (the in-memory test server has no socket).</summary>
public sealed class WebGateway : IAsyncDisposable
{
    private WebGateway(GatewayApp app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
    }

    public GatewayApp App { get; }

    /// <summary>e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public static WebGateway Start(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
    {
        var app = new GatewayApp(settings, configureServices);
        try
        {
            app.UseKestrel(0);
            app.StartServer();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("Kestrel reports no address.");
            var uri = new UriBuilder(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)
                .Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("//+:", "//127.0.0.1:", StringComparison.Ordinal)
                .Replace("//*:", "//127.0.0.1:", StringComparison.Ordinal)) { Path = "/" }.Uri;
            return new WebGateway(app, uri);
        }
        catch
        {
            app.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
