using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AspireMmRag.AppHost.Extensions;

/// <summary>rabbitmq-server started as a plain process; exposes the same connection string shape as AddRabbitMQ.</summary>
public sealed class LocalRabbitMQResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public EndpointReference Amqp => new(this, "amqp");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://guest:guest@{Amqp.Property(EndpointProperty.Host)}:{Amqp.Property(EndpointProperty.Port)}");
}

public static class LocalRabbitMQExtensions
{
    /// <summary>The server script that runs the broker in the foreground without switching user
    /// (Debian's /usr/sbin wrapper su's to rabbitmq and shares /var/lib/rabbitmq).</summary>
    public const string DefaultServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary>The configuration key of the local broker's own epmd port (a free port when unset).</summary>
    public const string EpmdPortKey = "Infra:RabbitMQ:EpmdPort";

    /// <summary>
    /// Runs a local rabbitmq-server with its own node name, ports and data folder, healthy once it accepts TCP
    /// connections on its AMQP port (plain WaitFor on an executable only means "process started").
    /// The broker gets an Erlang port mapper of its own: an <c>epmd -port N</c> resource named <c>{name}-epmd</c>, running in
    /// the foreground so that it stops with the AppHost, which the broker waits for and finds through <c>ERL_EPMD_PORT</c>.
    /// Without it the Erlang VM would start a shared <c>epmd -daemon</c> on port 4369 that outlives the AppHost and that every
    /// checkout's broker registers with. <c>N</c> is <paramref name="epmdPort"/>, else <see cref="EpmdPortKey"/>, else a
    /// port that is free at start-up.
    /// Fails fast, with what to install, when the server or epmd is not on the machine.
    /// </summary>
    public static IResourceBuilder<LocalRabbitMQResource> AddLocalRabbitMQ(this IDistributedApplicationBuilder builder, string name, int port,
        string dataDirectory, string server = DefaultServer, int? epmdPort = null)
    {
        if (!File.Exists(server))
        {
            throw new DistributedApplicationException(
                $"Infra:Mode is local but '{server}' does not exist. Install RabbitMQ (Debian/Ubuntu: 'sudo apt-get install rabbitmq-server'), " +
                "or set Infra:RabbitMQ:Server to the rabbitmq-server script, or install Docker/Podman and use Infra:Mode=container.");
        }
        var epmd = FindEpmd() ?? throw new DistributedApplicationException(
            "Infra:Mode is local but epmd (Erlang's port mapper, installed with rabbitmq-server's Erlang) is not on the PATH. " +
            "Install RabbitMQ (Debian/Ubuntu: 'sudo apt-get install rabbitmq-server'), or use Infra:Mode=container.");
        var mapperPort = epmdPort ?? builder.Configuration.GetValue<int?>(EpmdPortKey) ?? FreeLoopbackPort();

        Directory.CreateDirectory(dataDirectory);
        var healthKey = $"{name}_amqp_tcp";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthKey, cancellationToken => AcceptsAsync(port, "AMQP", cancellationToken));
        var epmdHealthKey = $"{name}_epmd_tcp";
        builder.Services.AddHealthChecks().AddAsyncCheck(epmdHealthKey, cancellationToken => AcceptsAsync(mapperPort, "epmd", cancellationToken));

        var mapperPortText = mapperPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mapper = builder.AddExecutable($"{name}-epmd", epmd, dataDirectory, "-port", mapperPortText)
            .WithHealthCheck(epmdHealthKey);

        var nodeName = $"mmrag{port}@localhost";
        return builder.AddResource(new LocalRabbitMQResource(name, server, dataDirectory))
            .WithEndpoint(name: "amqp", scheme: "tcp", port: port, targetPort: port, isProxied: false)
            .WithEnvironment("HOME", dataDirectory)
            .WithEnvironment("ERL_EPMD_PORT", mapperPortText)
            .WithEnvironment("RABBITMQ_NODENAME", nodeName)
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_NODE_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_DIST_PORT", (port + 20000).ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(dataDirectory, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(dataDirectory, "log"))
            .WithEnvironment("RABBITMQ_LOGS", "-")
            .WithEnvironment("RABBITMQ_PID_FILE", Path.Combine(dataDirectory, "rabbit.pid"))
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(dataDirectory, "enabled_plugins"))
            .WaitFor(mapper)
            .WithHealthCheck(healthKey);
    }

    /// <summary>The epmd on the PATH (Debian links /usr/bin/epmd), else the one in an Erlang runtime folder; null when none.</summary>
    public static string? FindEpmd()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "epmd");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return Directory.Exists("/usr/lib/erlang")
            ? Directory.EnumerateFiles("/usr/lib/erlang", "epmd", SearchOption.AllDirectories).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<HealthCheckResult> AcceptsAsync(int port, string what, CancellationToken cancellationToken)
    {
        try
        {
            using var tcp = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await tcp.ConnectAsync("127.0.0.1", port, timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{what} port {port} not accepting connections yet: {ex.Message}");
        }
    }
}
