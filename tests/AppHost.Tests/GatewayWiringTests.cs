using AspireMmRag.AppHost.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.AppHost.Tests;

/// <summary>
/// How the AppHost wires the gateway's ingestion API (catalog, broker, API key), read from the built application model:
/// nothing is started, so container mode can be checked without Docker.
/// </summary>
public sealed class GatewayWiringTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mmrag-apphost-wiring-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Container_mode_gives_the_gateway_a_postgres_catalog_database_and_waits_for_it()
    {
        await using var app = await BuildAsync("--Infra:Mode=container");
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();

        var catalog = Assert.IsType<PostgresDatabaseResource>(Resource(model, "catalog"));
        Assert.Equal("catalog", catalog.DatabaseName);
        Assert.Same(Assert.IsType<PostgresServerResource>(Resource(model, "postgres")), catalog.Parent);
        var gateway = Resource(model, "gateway");
        Assert.Contains("catalog", WaitsFor(gateway));
        Assert.Contains("messaging", WaitsFor(gateway));
    }

    [Fact]
    public async Task Local_mode_gives_the_gateway_a_sqlite_catalog_in_the_data_directory_and_does_not_wait_for_it()
    {
        await using var app = await BuildAsync("--Infra:Mode=local");
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();

        var catalog = Assert.IsAssignableFrom<IResourceWithConnectionString>(Resource(model, "catalog"));
        Assert.Equal($"Data Source={Path.Combine(_data, "catalog.db")}", await catalog.GetConnectionStringAsync());
        var gateway = Resource(model, "gateway");
        Assert.DoesNotContain("catalog", WaitsFor(gateway)); // a file: nothing that could fail to start
        Assert.Contains("messaging", WaitsFor(gateway));
    }

    [Fact]
    public async Task The_api_key_is_a_generated_secret_parameter_unless_Gateway_ApiKey_is_configured()
    {
        await using (var app = await BuildAsync("--Infra:Mode=local"))
        {
            var key = Assert.IsType<ParameterResource>(Resource(app.Services.GetRequiredService<DistributedApplicationModel>(), GatewayApiKeyExtensions.ParameterName));
            Assert.True(key.Secret);
            Assert.NotNull(key.Default); // generated when configuration has no value (not evaluated here: that would persist it)
        }

        await using (var app = await BuildAsync("--Infra:Mode=local", "--Gateway:ApiKey=chosen-by-the-operator"))
        {
            var key = Assert.IsType<ParameterResource>(Resource(app.Services.GetRequiredService<DistributedApplicationModel>(), GatewayApiKeyExtensions.ParameterName));
            Assert.True(key.Secret);
            Assert.Null(key.Default);
            Assert.Equal("chosen-by-the-operator", await key.GetValueAsync(CancellationToken.None));
        }
    }

    private async Task<DistributedApplication> BuildAsync(params string[] arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [.. arguments, $"--Data:Directory={_data}", "--Ingest:WikipediaTitles="], timeout.Token);
        return await appHost.BuildAsync(timeout.Token);
    }

    private static IResource Resource(DistributedApplicationModel model, string name) =>
        model.Resources.SingleOrDefault(r => r.Name == name) ?? throw new InvalidOperationException($"No resource '{name}'.");

    private static IReadOnlyList<string> WaitsFor(IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).ToList();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
        }
    }
}
