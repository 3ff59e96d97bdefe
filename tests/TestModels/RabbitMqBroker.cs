using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace AspireMmRag.TestModels;

/// <summary>
/// A real RabbitMQ broker (Debian's rabbitmq-server) for the tests: its own node name, ports and data folder, and its own
/// Erlang port mapper (<c>epmd -port N</c>, a child process in the foreground that the server and rabbitmqctl find through
/// <c>ERL_EPMD_PORT</c>, so no shared <c>epmd -daemon</c> on 4369 is started), started by <see cref="StartAsync"/> and
/// stopped by <see cref="DisposeAsync"/>, which leaves no epmd behind. Missing on the machine → <see cref="StartAsync"/>
/// throws with what to install (on CI and off it: the tests fail, they are never skipped).
/// </summary>
public sealed class RabbitMqBroker : IAsyncDisposable
{
    public const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private readonly StringBuilder _log = new();
    private Process? _process;
    private Process? _epmd;
    private string _dataDirectory = "";

    public int Port { get; private set; }

    /// <summary>The port of this broker's own epmd.</summary>
    public int EpmdPort { get; private set; }
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
        start.Environment["ERL_EPMD_PORT"] = EpmdPort.ToString();
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
        await StartEpmdAsync();

        var start = new ProcessStartInfo(Server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dataDirectory,
        };
        start.Environment["HOME"] = _dataDirectory;
        start.Environment["ERL_EPMD_PORT"] = EpmdPort.ToString();
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

    /// <summary>Starts <c>epmd -port N</c> on a free port in the foreground and waits until it accepts connections.</summary>
    private async Task StartEpmdAsync()
    {
        EpmdPort = FreePorts.Next();
        var start = new ProcessStartInfo(Epmd)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dataDirectory,
        };
        start.ArgumentList.Add("-port");
        start.ArgumentList.Add(EpmdPort.ToString());
        _epmd = Process.Start(start) ?? throw new InvalidOperationException("epmd did not start.");
        _epmd.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _epmd.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _epmd.BeginOutputReadLine();
        _epmd.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!await AcceptsAsync(EpmdPort))
        {
            if (_epmd.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"epmd -port {EpmdPort} did not start listening:\n{Log}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Erlang's port mapper: the one on the PATH (Debian's /usr/bin/epmd), else the erts one.</summary>
    private static string Epmd =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "epmd")).FirstOrDefault(File.Exists)
        ?? (Directory.Exists("/usr/lib/erlang") ? Directory.EnumerateFiles("/usr/lib/erlang", "epmd", SearchOption.AllDirectories).FirstOrDefault() : null)
        ?? throw new InvalidOperationException("epmd is missing: install RabbitMQ ('apt-get install rabbitmq-server', which brings Erlang); .ci/run does this.");

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

    private Task<bool> AcceptsAsync() => AcceptsAsync(Port);

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var tcp = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await tcp.ConnectAsync("127.0.0.1", port, timeout.Token);
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
        if (_epmd is { HasExited: false })
        {
            _epmd.Kill(entireProcessTree: true);
            await _epmd.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        _epmd?.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

