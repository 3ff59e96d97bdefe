using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using AspireMmRag.Embedding;
using AspireMmRag.Embedding.Grpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Embedder.Benchmarks;

/// <summary>How a child embedder is configured (null: the service's own default).</summary>
public sealed record EmbedderProcessSettings(string ClipDirectory, int? IntraOpThreads = null, int? MaxBatchSize = null, double? MaxWaitMs = null)
{
    public string Describe() => IntraOpThreads is { } threads ? $"IntraOpThreads={threads}" : "IntraOpThreads default";
}

/// <summary>
/// An embedder running as a child process (<c>dotnet Embedder.dll --urls http://127.0.0.1:port</c>) from the Embedder
/// build output, on the CPU, with CLIP from the benchmark's folder and no downloads. <see cref="DisposeAsync"/> kills it
/// (with its process tree); <see cref="ChildProcesses"/> also kills it if the benchmark exits early.
/// </summary>
public sealed class EmbedderProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private EmbedderProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    public string Address { get; }
    public int ProcessId => _process.Id;

    /// <summary>Starts <paramref name="count"/> embedders side by side and waits until each serves passages and CLIP.</summary>
    public static async Task<IReadOnlyList<EmbedderProcess>> StartManyAsync(int count, EmbedderProcessSettings settings, CancellationToken cancellationToken)
    {
        var started = new List<EmbedderProcess>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                started.Add(Start(settings));
            }
            await Task.WhenAll(started.Select(p => p.WaitUntilReadyAsync(TimeSpan.FromMinutes(5), cancellationToken)));
            return started;
        }
        catch
        {
            foreach (var process in started)
            {
                await process.DisposeAsync();
            }
            throw;
        }
    }

    public static EmbedderProcess Start(EmbedderProcessSettings settings)
    {
        var dll = EmbedderDll();
        var address = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, // the content root: appsettings.json is read from there
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address);

        // A clean, reproducible environment: no telemetry export, no inherited endpoints or environment name.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal)
                     || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)
                     || k.StartsWith("services__", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(key);
        }
        start.Environment["Models__AutoDownload"] = "false";
        start.Environment["Models__Clip__Directory"] = settings.ClipDirectory;
        start.Environment["Inference__ExecutionProvider"] = "Cpu";
        start.Environment["Kestrel__EndpointDefaults__Protocols"] = "Http2";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        if (settings.IntraOpThreads is { } threads)
        {
            start.Environment["Inference__IntraOpThreads"] = threads.ToString(CultureInfo.InvariantCulture);
        }
        if (settings.MaxBatchSize is { } batch)
        {
            start.Environment["Batching__MaxBatchSize"] = batch.ToString(CultureInfo.InvariantCulture);
        }
        if (settings.MaxWaitMs is { } wait)
        {
            start.Environment["Batching__MaxWait"] = TimeSpan.FromMilliseconds(wait).ToString("c", CultureInfo.InvariantCulture);
        }

        var process = new Process { StartInfo = start };
        var embedder = new EmbedderProcess(process, address);
        process.OutputDataReceived += (_, e) => embedder.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => embedder.Keep(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {start.FileName} {dll}.");
        }
        ChildProcesses.Register(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Console.WriteLine($"  started embedder pid {process.Id} on {address} ({settings.Describe()})");
        return embedder;
    }

    /// <summary>Polls DescribeModels until passage and CLIP are available; fails early if the process dies or a model fails.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var channel = GrpcChannel.ForAddress(Address);
        var client = new Embedding.Grpc.Embedder.EmbedderClient(channel);
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Embedder pid {_process.Id} exited with code {_process.ExitCode} before it was ready.\n{RecentOutput()}");
            }
            if (deadline.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new TimeoutException($"Embedder {Address} was not ready within {timeout.TotalSeconds:F0} s (last state: {last}).\n{RecentOutput()}");
            }
            try
            {
                var models = await client.DescribeModelsAsync(new DescribeModelsRequest(),
                    deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: deadline.Token);
                var passage = models.Models.Single(m => m.Name == EmbeddingModelNames.Passage);
                var clip = models.Models.Single(m => m.Name == EmbeddingModelNames.Clip);
                if (passage.Available && clip.Available)
                {
                    Console.WriteLine($"  embedder pid {_process.Id} ready in {clock.Elapsed.TotalSeconds:F1} s ({clip.ExecutionProvider})");
                    return;
                }
                foreach (var model in new[] { passage, clip })
                {
                    if (!model.Available && model.UnavailableReason is not ("" or "loading"))
                    {
                        throw new InvalidOperationException($"Embedder {Address}: the {model.Name} model is unavailable: {model.UnavailableReason}");
                    }
                }
                last = $"passage {(passage.Available ? "ready" : "loading")}, clip {(clip.Available ? "ready" : "loading")}";
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled)
            {
                last = $"{ex.StatusCode}";
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                // Checked at the top of the loop.
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 40 && _output.TryDequeue(out _))
        {
        }
    }

    private string RecentOutput() => _output.IsEmpty ? "(no output)" : "Last output:\n  " + string.Join("\n  ", _output);

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
            Console.Error.WriteLine($"  embedder {Address}: {ex.Message}");
        }
        finally
        {
            ChildProcesses.Unregister(_process);
            _process.Dispose();
        }
    }

    /// <summary>The embedder build output: services/Embedder/bin/&lt;this configuration&gt;/net10.0/Embedder.dll.</summary>
    public static string EmbedderDll()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var dll = Path.Combine(Report.RepositoryRoot(), "services", "Embedder", "bin", configuration,
            $"net{Environment.Version.Major}.{Environment.Version.Minor}", "Embedder.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException(
            $"{dll} does not exist. Build the benchmark first: dotnet build bench/Embedder.Benchmarks -c {configuration}", dll);
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

/// <summary>Every child process still running, so that an early exit (exception, Ctrl+C, SIGTERM) still kills them.</summary>
public static class ChildProcesses
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    public static IEnumerable<int> Ids => Running.Keys;

    public static void Register(Process process) => Running[process.Id] = process;

    public static void Unregister(Process process) => Running.TryRemove(process.Id, out _);

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
}

/// <summary>The shared <see cref="EmbedderClient"/>, configured as Aspire would configure it for the given endpoints.</summary>
public static class EmbedderClientHost
{
    public static IHost Create(IReadOnlyList<string> addresses, TimeSpan callTimeout)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?>
        {
            ["EmbedderClient:CallTimeout"] = callTimeout.ToString("c", CultureInfo.InvariantCulture),
        };
        for (var i = 0; i < addresses.Count; i++)
        {
            settings[$"services:embedder:http:{i}"] = addresses[i];
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddEmbedderClient("embedder");
        return builder.Build();
    }

    public static EmbedderClient Client(this IHost host) => host.Services.GetRequiredService<EmbedderClient>();

    public static int ConnectionsPerEndpoint(this IHost host) =>
        host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EmbedderClientOptions>>().Value.ConnectionsPerEndpoint;

    public static IReadOnlyList<string> Endpoints(this IHost host) => host.Services.GetRequiredService<EmbedderChannelPool>().Endpoints;
}
