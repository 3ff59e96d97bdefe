using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace AspireMmRag.TestModels;

/// <summary>
/// A real RabbitMQ broker (Debian's rabbitmq-server) for the tests: its own node name, ports and data folder, started by
/// <see cref="StartAsync"/> and stopped by <see cref="DisposeAsync"/>. Missing on the machine → <see cref="StartAsync"/>
/// throws with what to install (on CI and off it: the tests fail, they are never skipped).
/// </summary>
public sealed class RabbitMqBroker : IAsyncDisposable
{
    public const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private readonly StringBuilder _log = new();
    private Process? _process;
    private string _dataDirectory = "";

    public int Port { get; private set; }
    public string NodeName { get; private set; } = "";
    public string ConnectionString => $"amqp://guest:guest@127.0.0.1:{Port}";

    /// <summary>A connection string to a virtual host of its own: pipelines on one broker do not see each other's queues.</summary>
    public async Task<string> CreateVirtualHostAsync(string name)
    {
        await RabbitMqCtlAsync("add_vhost", name);
        await RabbitMqCtlAsync("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        return $"amqp://guest:guest@127.0.0.1:{Port}/{Uri.EscapeDataString(name)}";
    }

    private async Task RabbitMqCtlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(Path.GetDirectoryName(Server)!, "rabbitmqctl"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-n");
        start.ArgumentList.Add(NodeName);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["HOME"] = _dataDirectory; // the Erlang cookie the server created
        using var process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmqctl did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    public async Task StartAsync()
    {
        if (!File.Exists(Server))
        {
            throw new InvalidOperationException($"{Server} is missing: install RabbitMQ ('apt-get install rabbitmq-server'); .ci/run does this.");
        }

        Port = FreePorts.Next(alsoFreeOffset: 20000);
        NodeName = $"mmragtest{Port}@localhost";
        _dataDirectory = Path.Combine(Path.GetTempPath(), $"mmrag-rabbit-{Port}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dataDirectory);

        var start = new ProcessStartInfo(Server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dataDirectory,
        };
        start.Environment["HOME"] = _dataDirectory;
        start.Environment["RABBITMQ_NODENAME"] = NodeName;
        start.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        start.Environment["RABBITMQ_NODE_PORT"] = Port.ToString();
        start.Environment["RABBITMQ_DIST_PORT"] = (Port + 20000).ToString();
        start.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_dataDirectory, "mnesia");
        start.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(_dataDirectory, "log");
        start.Environment["RABBITMQ_LOGS"] = "-";
        start.Environment["RABBITMQ_PID_FILE"] = Path.Combine(_dataDirectory, "rabbit.pid");
        start.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_dataDirectory, "enabled_plugins");
        _process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmq-server did not start.");
        _process.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited with {_process.ExitCode}:\n{Log}");
            }
            if (await AcceptsAsync() && Log.Contains("Server startup complete", StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"rabbitmq-server did not accept connections on {Port} within 90 s:\n{Log}");
    }

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
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        _process?.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

