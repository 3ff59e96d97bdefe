using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>
/// One of our services as a child process (<c>dotnet services/Name/bin/&lt;Configuration&gt;/net10.0/Name.dll --urls
/// http://127.0.0.1:port</c>), in Production, with its settings as environment variables and no inherited OTEL_*,
/// ASPNETCORE_*, DOTNET_ENVIRONMENT or services__* variables. Killed (process tree) on dispose and on any exit of the benchmark.
/// </summary>
public sealed class ChildService : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildService(string name, Process process, string url)
    {
        Name = name;
        _process = process;
        Url = url;
    }

    public string Name { get; }
    public string Url { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Dll { get; private init; } = "";

    public static ChildService Start(string service, IReadOnlyDictionary<string, string> environment)
    {
        var dll = ServiceDll(service);
        var url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal)
                     || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)
                     || k.StartsWith("services__", StringComparison.Ordinal) || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(key);
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var child = new ChildService(service, process, url) { Dll = dll };
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {start.FileName} {dll}.");
        }
        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Console.WriteLine($"  started {service} pid {process.Id} on {url}");
        return child;
    }

    /// <summary>Polls <paramref name="probe"/> until it answers true; fails early if the process exits.</summary>
    public async Task WaitUntilAsync(Func<CancellationToken, Task<bool>> probe, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before {what}.\n{RecentOutput()}");
            }
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(10));
                if (await probe(attempt.Token))
                {
                    Console.WriteLine($"  {Name} pid {Pid}: {what} after {clock.Elapsed.TotalSeconds:F1} s");
                    return;
                }
                last = "not yet";
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
            {
                last = $"{ex.GetType().Name}: {ex.Message}";
            }
            await Task.Delay(250, cancellationToken);
        }
        throw new TimeoutException($"{Name}: timed out after {timeout.TotalSeconds:F0} s waiting for {what} ({last}).\n{RecentOutput()}");
    }

    public string RecentOutput() => _output.IsEmpty ? "(no output)" : "Last output:\n  " + string.Join("\n  ", _output);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 60 && _output.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"  {Name}: {ex.Message}");
        }
        finally
        {
            Running.TryRemove(_process.Id, out _);
            _process.Dispose();
        }
    }

    /// <summary>Kills every child still running (an early exit: exception, Ctrl+C, SIGTERM).</summary>
    public static void KillAll()
    {
        foreach (var (id, process) in Running)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                Console.Error.WriteLine($"Could not kill child process {id}: {ex.Message}");
            }
            Running.TryRemove(id, out _);
        }
    }

    /// <summary>services/Name/bin/&lt;this configuration&gt;/net10.0/Name.dll, which building this project produces.</summary>
    public static string ServiceDll(string service)
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var dll = Path.Combine(Report.RepositoryRoot(), "services", service, "bin", configuration,
            $"net{Environment.Version.Major}.{Environment.Version.Minor}", $"{service}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException(
            $"{dll} does not exist. Build the benchmark first: dotnet build bench/Gateway.Benchmarks -c {configuration}", dll);
    }

    /// <summary>The dotnet host running this process (so the children use the same runtime), else "dotnet" from PATH.</summary>
    private static string DotnetHost()
    {
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : null,
            Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"),
        };
        return candidates.FirstOrDefault(File.Exists) is { } host ? Path.GetFullPath(host) : "dotnet";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
