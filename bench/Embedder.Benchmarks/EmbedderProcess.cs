using System.Diagnostics;
using System.Globalization;
using AspireMmRag.Benchmarks;
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
/// (with its process tree); <see cref="ChildProcess.KillAll"/> also kills it if the benchmark exits early.
/// </summary>
public sealed class EmbedderProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private EmbedderProcess(ChildProcess process)
    {
        _process = process;
    }

    public string Address => _process.Url;
    public int ProcessId => _process.Pid;

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
        var environment = new Dictionary<string, string>
        {
            ["Models__AutoDownload"] = "false",
            ["Models__Clip__Directory"] = settings.ClipDirectory,
            ["Inference__ExecutionProvider"] = "Cpu",
            ["Kestrel__EndpointDefaults__Protocols"] = "Http2",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (settings.IntraOpThreads is { } threads)
        {
            environment["Inference__IntraOpThreads"] = threads.ToString(CultureInfo.InvariantCulture);
        }
        if (settings.MaxBatchSize is { } batch)
        {
            environment["Batching__MaxBatchSize"] = batch.ToString(CultureInfo.InvariantCulture);
        }
        if (settings.MaxWaitMs is { } wait)
        {
            environment["Batching__MaxWait"] = TimeSpan.FromMilliseconds(wait).ToString("c", CultureInfo.InvariantCulture);
        }
        var process = ChildProcess.StartDotnet(dll, environment, "embedder", outputLines: 40);
        process.Label = $"embedder {process.Url}";
        var embedder = new EmbedderProcess(process);
        Console.WriteLine($"  started embedder pid {process.Pid} on {process.Url} ({settings.Describe()})");
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
                throw new InvalidOperationException($"Embedder pid {_process.Pid} exited with code {_process.ExitCode} before it was ready.\n{_process.RecentOutput()}");
            }
            if (deadline.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new TimeoutException($"Embedder {Address} was not ready within {timeout.TotalSeconds:F0} s (last state: {last}).\n{_process.RecentOutput()}");
            }
            try
            {
                var models = await client.DescribeModelsAsync(new DescribeModelsRequest(),
                    deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: deadline.Token);
                var passage = models.Models.Single(m => m.Name == EmbeddingModelNames.Passage);
                var clip = models.Models.Single(m => m.Name == EmbeddingModelNames.Clip);
                if (passage.Available && clip.Available)
                {
                    Console.WriteLine($"  embedder pid {_process.Pid} ready in {clock.Elapsed.TotalSeconds:F1} s ({clip.ExecutionProvider})");
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

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>The embedder build output: services/Embedder/bin/&lt;this configuration&gt;/net10.0/Embedder.dll.</summary>
    public static string EmbedderDll() => Repository.ServiceDll("Embedder", "bench/Embedder.Benchmarks");
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
