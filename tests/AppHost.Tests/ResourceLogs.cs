using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.AppHost.Tests;

/// <summary>Keeps the console output of the app's resources, to print when a test fails.</summary>
public sealed class ResourceLogs : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly CancellationTokenSource _stop = new();

    public static ResourceLogs Capture(DistributedApplication app, IEnumerable<string> resources)
    {
        var logs = new ResourceLogs();
        var service = app.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var resource in resources)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in service.WatchAsync(resource).WithCancellation(logs._stop.Token))
                    {
                        foreach (var line in batch)
                        {
                            if (logs._lines.Count < 5000)
                            {
                                logs._lines.Enqueue($"[{resource}] {line.Content}");
                            }
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }
        return logs;
    }

    public string Dump() => string.Join(Environment.NewLine, _lines);

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
