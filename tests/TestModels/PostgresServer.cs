using System.Diagnostics;
using System.Text;
using Npgsql;

namespace AspireMmRag.TestModels;

/// <summary>
/// A real PostgreSQL server (Debian's <c>postgresql</c> package, <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, the newest
/// version installed) for the tests: its own free port, temp data folder and socket folder, started by
/// <see cref="StartAsync"/> and stopped (data folder deleted) by <see cref="DisposeAsync"/>. Missing on the machine →
/// <see cref="StartAsync"/> throws with what to install (on CI and off it: the tests fail, they are never skipped).
/// As root, <c>initdb</c> and <c>postgres</c> run as the <c>postgres</c> user (they refuse to run as root).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string InstallRoot = "/usr/lib/postgresql";
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _log = new();
    private readonly List<string> _connectionStrings = [];
    private Process? _process;

    /// <summary>The <c>bin</c> folder of the newest PostgreSQL under <see cref="InstallRoot"/>, or null.</summary>
    public static string? BinDirectory { get; } = FindBinDirectory();

    public static bool IsInstalled => BinDirectory is not null;

    public int Port { get; private set; }

    /// <summary>The temp folder holding the cluster (<c>data</c>) and the Unix socket; deleted by <see cref="DisposeAsync"/>.</summary>
    public string RootDirectory { get; private set; } = "";

    private string DataDirectory => Path.Combine(RootDirectory, "data");

    /// <summary>Runs as the <c>postgres</c> user when we are root; as ourselves otherwise.</summary>
    private static bool RunAsServiceUser => Environment.IsPrivilegedProcess;

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = RunAsServiceUser ? ServiceUser : Environment.UserName,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates a fresh, empty database (a unique name unless given) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= $"test_{Guid.NewGuid():N}";
        if (name.Length is 0 or > 63 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"'{name}' is not a plain database name (ASCII letters, digits, '_', at most 63).", nameof(name));
        }
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = ConnectionString(name);
        lock (_connectionStrings)
        {
            _connectionStrings.Add(connectionString);
        }
        return connectionString;
    }

    public async Task StartAsync()
    {
        if (BinDirectory is null)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is missing (no {InstallRoot}/<version>/bin/postgres): install postgresql ('apt-get install postgresql'); .ci/run does this.");
        }

        Port = FreePorts.Next();
        RootDirectory = Directory.CreateTempSubdirectory("mmrag-pg-").FullName; // 0700, owned by us
        if (RunAsServiceUser)
        {
            await RunAsync("/bin/chown", [$"{ServiceUser}:{ServiceUser}", RootDirectory], asServiceUser: false);
        }

        await RunAsync(Path.Combine(BinDirectory, "initdb"),
            ["-D", DataDirectory, "-A", "trust", "-U", RunAsServiceUser ? ServiceUser : Environment.UserName, "-E", "UTF8", "--no-locale", "--no-sync"],
            asServiceUser: RunAsServiceUser);

        var start = StartInfo(Path.Combine(BinDirectory, "postgres"), RunAsServiceUser);
        foreach (var argument in new[]
                 {
                     "-D", DataDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", RootDirectory,
                     "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                 })
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("postgres did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        Exception? last = null;
        var probe = new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Pooling = false, Timeout = 2 }.ConnectionString;
        while (clock.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"postgres exited with {_process.ExitCode}:\n{Log}");
            }
            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync();
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                last = ex;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"postgres did not accept connections on {Port} within {ReadyTimeout.TotalSeconds:F0} s ({last?.Message}):\n{Log}");
    }

    /// <summary>What postgres wrote to its console (its log), for failure messages.</summary>
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
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_connectionStrings)
        {
            foreach (var connectionString in _connectionStrings)
            {
                using var connection = new NpgsqlConnection(connectionString);
                NpgsqlConnection.ClearPool(connection);
            }
        }
        if (_process is { HasExited: false })
        {
            try
            {
                // Fast shutdown: disconnects clients, checkpoints, exits; -w waits until it has.
                await RunAsync(Path.Combine(BinDirectory!, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"], asServiceUser: RunAsServiceUser);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                Append($"pg_ctl stop failed, killing postgres: {ex.Message}");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        _process?.Dispose();
        if (RootDirectory.Length > 0)
        {
            try
            {
                Directory.Delete(RootDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static ProcessStartInfo StartInfo(string program, bool asServiceUser)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The service user may not enter our working directory (e.g. /root); / is readable by all.
            WorkingDirectory = "/",
        };
        if (asServiceUser)
        {
            start.UserName = ServiceUser; // works as root on Unix: the child switches user before exec
        }
        return start;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asServiceUser)
    {
        var start = StartInfo(program, asServiceUser);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} did not finish within 60 s.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    private static string? FindBinDirectory()
    {
        if (!Directory.Exists(InstallRoot))
        {
            return null;
        }
        return Directory.EnumerateDirectories(InstallRoot)
            .Select(directory => (Directory: directory, Version: Version.TryParse(Path.GetFileName(directory), out var v) ? v
                : int.TryParse(Path.GetFileName(directory), out var major) ? new Version(major, 0) : null))
            .Where(candidate => candidate.Version is not null && File.Exists(Path.Combine(candidate.Directory, "bin", "postgres")))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => Path.Combine(candidate.Directory, "bin"))
            .FirstOrDefault();
    }
}
