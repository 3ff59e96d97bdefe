using AspireMmRag.TestModels;
using Xunit.Abstractions;

namespace AspireMmRag.Crawler.Tests;

/// <summary>The order the shared fixtures pick a real dependency in (<see cref="TestServices"/>), with fake probes: local
/// binary, else a container, else a failure naming both fixes; never a skip.</summary>
public sealed class TestServiceSelectionTests(ITestOutputHelper output)
{
    private static TestServiceProbes Probes(bool local, bool docker, bool ci = false, Action? dockerAsked = null) =>
        new(() => local, () => { dockerAsked?.Invoke(); return docker; }, () => ci);

    [Fact]
    public void An_installed_server_is_used_without_asking_for_a_container_runtime()
    {
        var asked = false;

        Assert.Equal(TestServiceWay.LocalBinary, TestServices.Choose("RabbitMQ", "rabbitmq-server", Probes(local: true, docker: true, dockerAsked: () => asked = true)));
        Assert.False(asked);
    }

    [Fact]
    public void Without_the_server_a_container_runtime_gives_a_container()
    {
        Assert.Equal(TestServiceWay.Container, TestServices.Choose("PostgreSQL", "postgresql", Probes(local: false, docker: true)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void With_neither_the_failure_names_the_package_and_Docker(bool ci)
    {
        var error = Assert.Throws<TestServiceUnavailableException>(() => TestServices.Choose("RabbitMQ", "rabbitmq-server", Probes(local: false, docker: false, ci)));

        output.WriteLine(error.Message);
        Assert.Contains("apt-get install rabbitmq-server", error.Message);
        Assert.Contains("start Docker", error.Message);
        Assert.Contains("fail rather than skip", error.Message);
        Assert.Equal(ci, error.Message.Contains("CI=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_broker_fixture_fails_to_start_with_that_message()
    {
        await using var broker = new RabbitMqService(Probes(local: false, docker: false));

        var error = await Assert.ThrowsAsync<TestServiceUnavailableException>(broker.StartAsync);

        output.WriteLine(error.Message);
        Assert.Contains("RabbitMQ is needed", error.Message);
        Assert.Contains("'apt-get install rabbitmq-server'", error.Message);
        Assert.Null(broker.Way);
    }

    [Fact]
    public async Task The_postgres_fixture_fails_to_start_with_that_message()
    {
        await using var postgres = new PostgresService(Probes(local: false, docker: false));

        var error = await Assert.ThrowsAsync<TestServiceUnavailableException>(postgres.StartAsync);

        output.WriteLine(error.Message);
        Assert.Contains("PostgreSQL is needed", error.Message);
        Assert.Contains("'apt-get install postgresql'", error.Message);
    }
}

/// <summary>Says in the test output which way the collection's broker took (local rabbitmq-server or a container).</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqWayTests(RabbitMqBrokerFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void The_broker_says_where_it_runs()
    {
        output.WriteLine(fixture.Broker.Description);

        Assert.NotNull(fixture.Broker.Way);
        Assert.StartsWith("RabbitMQ: ", fixture.Broker.Description);
    }
}
