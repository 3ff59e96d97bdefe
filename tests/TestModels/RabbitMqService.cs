using Testcontainers.RabbitMq;

namespace AspireMmRag.TestModels;

/// <summary>
/// The RabbitMQ broker for the tests, as <see cref="TestServices"/> picks it in <see cref="StartAsync"/>: the local
/// rabbitmq-server (<see cref="RabbitMqBroker"/>) when installed; else a throwaway <c>rabbitmq</c> container
/// (Testcontainers.RabbitMq) when a container runtime answers; else a <see cref="TestServiceUnavailableException"/> naming
/// both fixes. The same members as <see cref="RabbitMqBroker"/> (start, virtual hosts, connection string, dispose), so a
/// fixture only changes the type it creates.
/// </summary>
public sealed class RabbitMqService(TestServiceProbes probes) : IAsyncDisposable
{
    /// <summary>The image of the container fallback (RabbitMQ 4.1, the series the AppHost's Aspire.Hosting.RabbitMQ runs).</summary>
    public const string Image = "rabbitmq:4.1";

    private RabbitMqBroker? _broker;
    private RabbitMqContainer? _container;

    public RabbitMqService()
        : this(TestServices.Probes(() => File.Exists(RabbitMqBroker.Server)))
    {
    }

    /// <summary>The way <see cref="StartAsync"/> took (null before it).</summary>
    public TestServiceWay? Way { get; private set; }

    /// <summary>One line saying where the broker runs, as logged.</summary>
    public string Description { get; private set; } = "not started";

    public string ConnectionString =>
        _broker?.ConnectionString ?? _container?.GetConnectionString() ?? throw new InvalidOperationException("The broker is not started.");

    public async Task StartAsync()
    {
        Way = TestServices.Choose("RabbitMQ", "rabbitmq-server", probes);
        if (Way == TestServiceWay.LocalBinary)
        {
            var broker = new RabbitMqBroker();
            _broker = broker;
            await broker.StartAsync();
            Description = $"RabbitMQ: local {RabbitMqBroker.Server} on 127.0.0.1:{broker.Port}";
        }
        else
        {
            // Built here, not in a constructor: Build() throws DockerUnavailableException without a runtime.
            var container = new RabbitMqBuilder(Image).Build();
            _container = container;
            await container.StartAsync();
            Description = $"RabbitMQ: container {Image} at {container.Hostname}:{container.GetMappedPublicPort(RabbitMqBuilder.RabbitMqPort)}";
        }
        TestServices.Log(Description);
    }

    /// <summary>A connection string to a virtual host of its own: pipelines on one broker do not see each other's queues.</summary>
    public async Task<string> CreateVirtualHostAsync(string name)
    {
        if (_broker is not null)
        {
            return await _broker.CreateVirtualHostAsync(name);
        }
        var container = _container ?? throw new InvalidOperationException("The broker is not started.");
        await RabbitMqCtlAsync(container, "add_vhost", name);
        await RabbitMqCtlAsync(container, "set_permissions", "-p", name, RabbitMqBuilder.DefaultUsername, ".*", ".*", ".*");
        return $"{ConnectionString.TrimEnd('/')}/{Uri.EscapeDataString(name)}"; // amqp://rabbitmq:rabbitmq@host:port/name
    }

    private static async Task RabbitMqCtlAsync(RabbitMqContainer container, params string[] arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var result = await container.ExecAsync(["rabbitmqctl", .. arguments], timeout.Token);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"rabbitmqctl {string.Join(' ', arguments)} in the container failed ({result.ExitCode}): {result.Stdout}{result.Stderr}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
