using System.Net.Sockets;
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

    /// <summary>
    /// Runs a local rabbitmq-server with its own node name, ports and data folder, healthy once it accepts TCP
    /// connections on its AMQP port (plain WaitFor on an executable only means "process started").
    /// Fails fast, with what to install, when the server is not on the machine.
    /// </summary>
    public static IResourceBuilder<LocalRabbitMQResource> AddLocalRabbitMQ(this IDistributedApplicationBuilder builder, string name, int port, string dataDirectory, string server = DefaultServer)
    {
        if (!File.Exists(server))
        {
            throw new DistributedApplicationException(
                $"Infra:Mode is local but '{server}' does not exist. Install RabbitMQ (Debian/Ubuntu: 'sudo apt-get install rabbitmq-server'), " +
                "or set Infra:Server:RabbitMQ to the rabbitmq-server script, or install Docker/Podman and use Infra:Mode=container.");
        }

        Directory.CreateDirectory(dataDirectory);
        var healthKey = $"{name}_amqp_tcp";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthKey, async cancellationToken =>
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
                return HealthCheckResult.Unhealthy($"AMQP port {port} not accepting connections yet: {ex.Message}");
            }
        });

        var nodeName = $"mmrag{port}@localhost";
        return builder.AddResource(new LocalRabbitMQResource(name, server, dataDirectory))
            .WithEndpoint(name: "amqp", scheme: "tcp", port: port, targetPort: port, isProxied: false)
            .WithEnvironment("HOME", dataDirectory)
            .WithEnvironment("RABBITMQ_NODENAME", nodeName)
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_NODE_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_DIST_PORT", (port + 20000).ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(dataDirectory, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(dataDirectory, "log"))
            .WithEnvironment("RABBITMQ_LOGS", "-")
            .WithEnvironment("RABBITMQ_PID_FILE", Path.Combine(dataDirectory, "rabbit.pid"))
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(dataDirectory, "enabled_plugins"))
            .WithHealthCheck(healthKey);
    }
}
