using System.Diagnostics;
using AspireMmRag.Benchmarks;

namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>
/// One of our services as a child process (<c>dotnet services/Name/bin/&lt;Configuration&gt;/net10.0/Name.dll --urls
/// http://127.0.0.1:port</c>), in Production, with its settings as environment variables and no inherited OTEL_*,
/// ASPNETCORE_*, DOTNET_ENVIRONMENT, services__* or ConnectionStrings__* variables. Killed (process tree) on dispose and on
/// any exit of the benchmark (<see cref="ChildProcess"/>).
/// </summary>
public sealed class ChildService : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private ChildService(string name, ChildProcess process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }
    public string Url => _process.Url;
    public int Pid => _process.Pid;
    public bool HasExited => _process.HasExited;
    public string Dll => _process.Dll;

    public static ChildService Start(string service, IReadOnlyDictionary<string, string> environment)
    {
        var dll = Repository.ServiceDll(service, "bench/Gateway.Benchmarks");
        var settings = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__Console__FormatterName"] = "simple",
        };
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }
        var process = ChildProcess.StartDotnet(dll, settings, service, alsoCleared: ["ConnectionStrings__"], outputLines: 60);
        Console.WriteLine($"  started {service} pid {process.Pid} on {process.Url}");
        return new ChildService(service, process);
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

    public string RecentOutput() => _process.RecentOutput();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
