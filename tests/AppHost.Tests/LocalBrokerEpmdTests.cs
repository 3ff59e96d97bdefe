using System.Diagnostics;
using System.Net.Sockets;
using AspireMmRag.AppHost.Extensions;
using AspireMmRag.TestModels;

namespace AspireMmRag.AppHost.Tests;

/// <summary>
/// A local broker registers with an Erlang port mapper of its own (ERL_EPMD_PORT), not the shared one on 4369, and that
/// epmd is gone once the broker has stopped: a run leaves no epmd behind, and two checkouts do not share one.
/// </summary>
public sealed class LocalBrokerEpmdTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mmrag-epmd-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_AppHosts_local_broker_runs_its_own_epmd_and_stops_it()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var port = FreePorts.Next(alsoFreeOffset: 20000);
        var epmdPort = FreePorts.Next();
        // An application of just the broker, with the AppHost's assembly for where DCP is.
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = [],
            AssemblyName = typeof(LocalRabbitMQExtensions).Assembly.GetName().Name,
            DisableDashboard = true,
        });
        builder.AddLocalRabbitMQ("messaging", port, Path.Combine(_root, "rabbitmq"), epmdPort: epmdPort);
        await using (var app = builder.Build())
        {
            await app.StartAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("messaging", timeout.Token);

            var names = await EpmdNamesAsync(epmdPort);
            Assert.Contains($"name mmrag{port} at port {port + 20000}", names, StringComparison.Ordinal);

            await app.StopAsync(timeout.Token);
        }

        await AssertGoneAsync(epmdPort);
    }

    [Fact]
    public async Task The_test_broker_runs_its_own_epmd_and_stops_it()
    {
        var broker = new RabbitMqBroker();
        int epmdPort;
        try
        {
            await broker.StartAsync();
            epmdPort = broker.EpmdPort;
            Assert.NotEqual(4369, epmdPort);
            Assert.Contains($"name {broker.NodeName.Split('@')[0]} at port {broker.Port + 20000}", await EpmdNamesAsync(epmdPort), StringComparison.Ordinal);
            // rabbitmqctl finds the node through the same epmd.
            await broker.CreateVirtualHostAsync("epmd-test");
        }
        finally
        {
            await broker.DisposeAsync();
        }

        await AssertGoneAsync(epmdPort);
    }

    [Fact]
    public void Epmd_is_found()
    {
        var epmd = LocalRabbitMQExtensions.FindEpmd();
        Assert.NotNull(epmd);
        Assert.True(File.Exists(epmd));
    }

    /// <summary>Nothing listens on the port any more (within a few seconds of the stop), and <c>epmd -names</c> finds no
    /// epmd there.</summary>
    private static async Task AssertGoneAsync(int epmdPort)
    {
        var clock = Stopwatch.StartNew();
        while (await AcceptsAsync(epmdPort))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"an epmd still listens on {epmdPort}: {await EpmdNamesAsync(epmdPort)}");
            await Task.Delay(200);
        }
        Assert.Contains("Cannot connect to local epmd", await EpmdNamesAsync(epmdPort), StringComparison.Ordinal);
    }

    private static async Task<string> EpmdNamesAsync(int port)
    {
        var start = new ProcessStartInfo(LocalRabbitMQExtensions.FindEpmd()!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("-names");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return await output + await error;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var tcp = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await tcp.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
