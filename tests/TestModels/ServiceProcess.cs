using System.Diagnostics;
using System.Text;

namespace AspireMmRag.TestModels;

/// <summary>
/// One of our services running as its own process (<c>dotnet services/X/bin/{Configuration}/net10.0/X.dll</c>), so tests
/// can kill it like a crash would and start it again. Output is kept for failure messages.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, string url)
    {
        _process = process;
        Url = url;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Url { get; }
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ServiceProcess Start(string service, IReadOnlyDictionary<string, string> environment, int port)
    {
        var dll = Path.Combine(TestAssets.RepositoryRoot() ?? throw new InvalidOperationException("Repository root not found."),
            "services", service, "bin", BuildConfiguration, "net10.0", $"{service}.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built (the test project builds it through a project reference).", dll);
        }

        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return new ServiceProcess(Process.Start(start) ?? throw new InvalidOperationException($"{service} did not start."), url);
    }

    /// <summary>Debug or Release: the configuration the tests themselves were built in.</summary>
    private static string BuildConfiguration =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";

    /// <summary>Polls <paramref name="probe"/> until it answers true, failing early if the process exits.</summary>
    public async Task WaitUntilAsync(Func<CancellationToken, Task<bool>> probe, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process exited ({_process.ExitCode}) before {what}:\n{Output}");
            }
            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                if (await probe(attempt.Token))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                last = ex;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Timed out after {timeout} waiting for {what} ({last?.Message}):\n{Output}");
    }

    /// <summary>Kills the process tree at once, as a crash or an OOM kill would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            if (_output.Length < 2_000_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
