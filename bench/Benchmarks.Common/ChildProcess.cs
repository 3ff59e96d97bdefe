using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AspireMmRag.Benchmarks;

/// <summary>
/// One of our services as a child process (<c>dotnet Name.dll --urls http://127.0.0.1:port</c>), from its build output,
/// in a clean environment: no inherited OTEL_*, ASPNETCORE_*, DOTNET_ENVIRONMENT or services__* variables (nor those of
/// the caller's extra prefixes), then the caller's settings. Its recent output is kept for error messages.
/// <see cref="DisposeAsync"/> kills it with its process tree; <see cref="KillAll"/> kills every child still running
/// (call it on any early exit: <see cref="BenchRun"/> does).
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private static readonly string[] ClearedPrefixes = ["OTEL_", "ASPNETCORE_", "DOTNET_ENVIRONMENT", "services__"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly int _outputLines;

    private ChildProcess(Process process, string dll, string url, int outputLines, string label)
    {
        _process = process;
        Dll = dll;
        Url = url;
        _outputLines = outputLines;
        Label = label;
    }

    /// <summary>The ids of the children still running.</summary>
    public static IEnumerable<int> Ids => Running.Keys;

    /// <summary>How error messages on dispose name the child.</summary>
    public string Label { get; set; }

    public string Dll { get; }
    public string Url { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>dotnet <paramref name="dll"/> --urls</c> a free loopback port, with the dll's folder as the content root.</summary>
    /// <param name="label">How error messages on dispose name the child (<see cref="Label"/>).</param>
    /// <param name="alsoCleared">More prefixes of inherited variables to remove.</param>
    /// <param name="outputLines">How many of the last output lines to keep.</param>
    public static ChildProcess StartDotnet(string dll, IReadOnlyDictionary<string, string> environment, string label,
        IReadOnlyList<string>? alsoCleared = null, int outputLines = 40)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, // the content root: appsettings.json is read from there
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);

        // A clean, reproducible environment: no telemetry export, no inherited endpoints or environment name.
        var cleared = ClearedPrefixes.Concat(alsoCleared ?? []).ToArray();
        foreach (var key in start.Environment.Keys.Where(k => cleared.Any(prefix => k.StartsWith(prefix, StringComparison.Ordinal))).ToArray())
        {
            start.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process, dll, url, outputLines, label);
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {start.FileName} {dll}.");
        }
        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public string RecentOutput() => _output.IsEmpty ? "(no output)" : "Last output:\n  " + string.Join("\n  ", _output);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > _outputLines && _output.TryDequeue(out _))
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
            Console.Error.WriteLine($"  {Label}: {ex.Message}");
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
