using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.AppHost.Tests;

/// <summary>Keeps the console output of the app's resources, to print when a test fails.</summary>
public sealed class ResourceLogs : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentDictionary<string, bool> _watched = new();
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Watches every instance of the named resources (logs are kept per instance, e.g. "crawler-abcdefgh").</summary>
    public static ResourceLogs Capture(DistributedApplication app, IReadOnlyCollection<string> resources)
    {
        var logs = new ResourceLogs();
        var loggers = app.Services.GetRequiredService<ResourceLoggerService>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in app.ResourceNotifications.WatchAsync(logs._stop.Token))
                {
                    if (resources.Contains(change.Resource.Name) && logs._watched.TryAdd(change.ResourceId, true))
                    {
                        _ = logs.FollowAsync(loggers, change.ResourceId);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        return logs;
    }

    private async Task FollowAsync(ResourceLoggerService loggers, string instance)
    {
        try
        {
            await foreach (var batch in loggers.WatchAsync(instance).WithCancellation(_stop.Token))
            {
                foreach (var line in batch)
                {
                    if (_lines.Count < 5000)
                    {
                        _lines.Enqueue($"[{instance}] {line.Content}");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public int Count => _lines.Count;

    public string Dump() => string.Join(Environment.NewLine, _lines);

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
