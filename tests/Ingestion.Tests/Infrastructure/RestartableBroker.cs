using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using AspireMmRag.TestModels;

namespace AspireMmRag.Ingestion.Tests.Infrastructure;

/// <summary>
/// A rabbitmq-server of its own (node name, port, data folder) that can be stopped and started again on the same port with
/// the same data, so durable queues and persistent messages outlive the restart, as a production broker's do. For the
/// fault drill; the other tests share <see cref="RabbitMqBroker"/>.
/// </summary>
public sealed class RestartableBroker : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"mmrag-drill-rabbit-{Guid.NewGuid():N}");
    private Process? _server;

    public int Port { get; } = FreePorts.Next(alsoFreeOffset: 20000);
    public string NodeName => $"mmragdrill{Port}@localhost";

    /// <summary>The default virtual host.</summary>
    public string ConnectionString => $"amqp://guest:guest@127.0.0.1:{Port}/";

    public async Task StartAsync()
    {
        if (!File.Exists(RabbitMqBroker.Server))
        {
            throw new InvalidOperationException($"{RabbitMqBroker.Server} is missing: install RabbitMQ ('apt-get install rabbitmq-server').");
        }
        Directory.CreateDirectory(_data);
        var start = new ProcessStartInfo(RabbitMqBroker.Server) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _data };
        foreach (var (key, value) in Environment())
        {
            start.Environment[key] = value;
        }
        lock (_log)
        {
            _log.Clear();
        }
        _server = Process.Start(start) ?? throw new InvalidOperationException("rabbitmq-server did not start.");
        _server.OutputDataReceived += (_, e) => Append(e.Data);
        _server.ErrorDataReceived += (_, e) => Append(e.Data);
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited with {_server.ExitCode}:\n{Log}");
            }
            if (Log.Contains("Server startup complete", StringComparison.Ordinal) && await AcceptsAsync())
            {
                return;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"rabbitmq-server did not start within 90 s:\n{Log}");
    }

    /// <summary>Stops the broker as an operator would (<c>rabbitmqctl stop</c>), then starts it again with the same data.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    private async Task StopAsync()
    {
        if (_server is not { HasExited: false })
        {
            return;
        }
        var stop = new ProcessStartInfo(Path.Combine(Path.GetDirectoryName(RabbitMqBroker.Server)!, "rabbitmqctl")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        stop.ArgumentList.Add("-n");
        stop.ArgumentList.Add(NodeName);
        stop.ArgumentList.Add("stop");
        stop.Environment["HOME"] = _data;
        using (var ctl = Process.Start(stop) ?? throw new InvalidOperationException("rabbitmqctl did not start."))
        {
            await ctl.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _server.Dispose();
        _server = null;
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["HOME"] = _data,
        ["RABBITMQ_NODENAME"] = NodeName,
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RABBITMQ_DIST_PORT"] = (Port + 20000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_data, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(_data, "log"),
        ["RABBITMQ_LOGS"] = "-",
        ["RABBITMQ_PID_FILE"] = Path.Combine(_data, "rabbit.pid"),
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_data, "enabled_plugins"),
    };

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private async Task<bool> AcceptsAsync()
    {
        try
        {
            using var tcp = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await tcp.ConnectAsync("127.0.0.1", Port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        _server?.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
