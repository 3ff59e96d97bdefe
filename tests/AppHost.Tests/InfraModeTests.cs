using AspireMmRag.AppHost.Extensions;
using Microsoft.Extensions.Configuration;

namespace AspireMmRag.AppHost.Tests;

public sealed class InfraModeTests
{
    [Theory]
    [InlineData("container", InfraMode.Container)]
    [InlineData("Local", InfraMode.Local)]
    public void A_configured_mode_is_taken_as_it_is(string configured, InfraMode expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Infra:Mode"] = configured }).Build();
        Assert.Equal(expected, InfraModeDetector.Detect(configuration, _ => { }));
    }

    [Fact]
    public void An_unknown_mode_is_refused()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Infra:Mode"] = "kubernetes" }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => InfraModeDetector.Detect(configuration, _ => { }));
        Assert.Contains("container, local, auto", error.Message);
    }

    [Fact]
    public void Auto_detection_picks_local_when_no_container_runtime_answers()
    {
        var said = new List<string>();
        var asked = new List<string>();
        var mode = InfraModeDetector.Detect(new ConfigurationBuilder().Build(), said.Add, runtime => { asked.Add(runtime); return false; });

        Assert.Equal(InfraMode.Local, mode);
        Assert.Equal(["docker", "podman"], asked);
        Assert.Contains(said, line => line.Contains("no container runtime answers", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("podman")]
    public void Auto_detection_picks_containers_when_a_runtime_answers(string available)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Infra:Mode"] = "auto" }).Build();
        Assert.Equal(InfraMode.Container, InfraModeDetector.Detect(configuration, _ => { }, runtime => runtime == available));
    }

    [Fact]
    public void The_real_probe_answers_false_for_a_runtime_that_is_not_installed()
    {
        var configuration = new ConfigurationBuilder().Build();
        Assert.Equal(InfraMode.Local, InfraModeDetector.Detect(configuration, _ => { },
            runtime => InfraModeDetector.RuntimeAnswers("mmrag-no-such-runtime-" + runtime)));
    }

    [Fact]
    public async Task Local_mode_without_rabbitmq_server_stops_at_once_saying_what_to_install()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
                ["--Infra:Mode=local", "--Infra:RabbitMQ:Server=/nonexistent/rabbitmq-server", "--Ingest:WikipediaTitles="], timeout.Token);
            await using var app = await appHost.BuildAsync(timeout.Token);
            await app.StartAsync(timeout.Token);
        });

        Assert.Contains("apt-get install rabbitmq-server", error.ToString(), StringComparison.Ordinal);
    }
}
