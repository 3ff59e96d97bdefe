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

    [Fact]
    public async Task Container_mode_runs_Ollama_with_a_model_resource_the_gateway_references_as_llm_and_waits_for()
    {
        await using var app = await BuildAsync("--Infra:Mode=container", "--Llm:Model=llama3:8b", "--Llm:Gpu=nvidia");
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();

        var ollama = Assert.IsType<AspireMmRag.AppHost.Extensions.Ollama.OllamaContainerResource>(Resource(model, "ollama"));
        var image = Assert.Single(ollama.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal(("docker.io", "ollama/ollama", AspireMmRag.AppHost.Extensions.Ollama.OllamaExtensions.Tag), (image.Registry, image.Image, image.Tag));
        Assert.Contains(ollama.Annotations.OfType<ContainerMountAnnotation>(), mount => mount.Target == AspireMmRag.AppHost.Extensions.Ollama.OllamaExtensions.ModelsPathInContainer);
        Assert.Equal(11434, Assert.Single(ollama.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "http").TargetPort);
        var runtimeArgs = new List<object>();
        foreach (var callback in ollama.Annotations.OfType<ContainerRuntimeArgsCallbackAnnotation>())
        {
            await callback.Callback(new ContainerRuntimeArgsCallbackContext(runtimeArgs));
        }
        Assert.Equal(["--gpus", "all"], runtimeArgs.Select(a => a.ToString()));

        var llama = Assert.IsType<AspireMmRag.AppHost.Extensions.Ollama.OllamaModelResource>(Resource(model, "llama3-8b"));
        Assert.Equal("llama3:8b", llama.Model);
        Assert.Same(ollama, llama.Parent);
        var gateway = Resource(model, "gateway");
        Assert.Contains("llama3-8b", WaitsFor(gateway));
        var environment = await EnvironmentOf(gateway);
        Assert.Equal("Ollama", environment["Llm__Provider"]);
        Assert.True(environment.ContainsKey("ConnectionStrings__llm"), "the gateway reads the model as ConnectionStrings:llm");
    }

    [Fact]
    public async Task Container_mode_runs_Milvus_with_authentication_and_a_generated_root_password_the_services_sign_in_with()
    {
        await using var app = await BuildAsync("--Infra:Mode=container");
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();

        var password = Assert.IsType<ParameterResource>(Resource(model, "milvus-password"));
        Assert.True(password.Secret);
        var environment = await EnvironmentOf(Resource(model, "milvus"));
        Assert.Equal("true", environment["COMMON_SECURITY_AUTHORIZATIONENABLED"]);
        Assert.Equal(nameof(ParameterResource), environment["COMMON_SECURITY_DEFAULTROOTPASSWORD"]); // the parameter, resolved at run time
        var vectors = Assert.IsAssignableFrom<IResourceWithConnectionString>(Resource(model, "vectors"));
        Assert.Contains(";Token=root:{milvus-password.value}", vectors.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public async Task The_gateway_offers_its_web_page_and_an_ingest_command_in_the_dashboard()
    {
        await using var app = await BuildAsync("--Infra:Mode=local");
        var gateway = Resource(app.Services.GetRequiredService<DistributedApplicationModel>(), "gateway");
        var command = Assert.Single(gateway.Annotations.OfType<ResourceCommandAnnotation>(), c => c.Name == GatewayCommandExtensions.IngestCommandName);
        Assert.Equal("Ingest Wikipedia title…", command.DisplayName);
        Assert.Equal("title", Assert.Single(command.Arguments).Name);
        Assert.NotEmpty(gateway.Annotations.OfType<ResourceUrlsCallbackAnnotation>());
    }

    [Fact]
    public async Task Local_mode_without_ollama_or_a_model_file_answers_retrieval_only()
    {
        await using var app = await BuildAsync("--Infra:Mode=local", "--Llm:OllamaCommand=/nonexistent/ollama");
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        Assert.DoesNotContain(model.Resources, r => r.Name == "ollama");
        var environment = await EnvironmentOf(Resource(model, "gateway"));
        Assert.Equal("None", environment["Llm__Provider"]);
        Assert.False(environment.ContainsKey("ConnectionStrings__llm"));
    }

    private async Task<DistributedApplication> BuildAsync(params string[] arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [.. arguments, $"--Data:Directory={_data}", "--Ingest:WikipediaTitles="], timeout.Token);
        return await appHost.BuildAsync(timeout.Token);
    }

    /// <summary>The environment a resource's callbacks set (values as they are: strings, or references resolved at run time).</summary>
    private static async Task<Dictionary<string, string>> EnvironmentOf(IResource resource)
    {
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), resource, [], CancellationToken.None);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return context.EnvironmentVariables.ToDictionary(entry => entry.Key, entry => entry.Value as string ?? entry.Value.GetType().Name);
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
