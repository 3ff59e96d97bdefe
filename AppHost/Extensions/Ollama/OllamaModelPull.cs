using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.AppHost.Extensions.Ollama;

/// <summary>
/// The pull of one <see cref="OllamaModelResource"/>, run once its server is ready (and again by the "Pull again" command):
/// it publishes "Checking llama3", then "Downloading llama3 N percent" as the percentage changes, then Running. A pull that
/// fails shows its error as the state's text is Running with a warning style, the error in the resource's properties and log;
/// the model is then settled (not pulling), so whatever waits for it starts and the gateway answers retrieval-only until the
/// model is there. <see cref="Health"/> is healthy once settled.
/// </summary>
public sealed class OllamaModelPull(OllamaModelResource resource)
{
    private int _running;

    /// <summary>The model is present, or its pull failed for good; null while checking or downloading.</summary>
    public string? Settled { get; private set; }

    public HealthCheckResult Health() => Settled is { } description
        ? HealthCheckResult.Healthy(description)
        : HealthCheckResult.Unhealthy($"{resource.Model} is not pulled yet.");

    /// <summary>Checks for the model and pulls it when missing; a second call while one runs does nothing.</summary>
    public async Task RunAsync(ResourceNotificationService notifications, ILogger log, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }
        try
        {
            var endpoint = new Uri(await resource.Parent.Http.GetValueAsync(cancellationToken) + "/");
            using var http = new HttpClient { BaseAddress = endpoint, Timeout = Timeout.InfiniteTimeSpan };
            var puller = new OllamaModelPuller(http);
            await PublishAsync(notifications, $"Checking {resource.Model}", KnownResourceStateStyles.Info);
            using (var check = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                check.CancelAfter(TimeSpan.FromSeconds(30));
                if (await puller.HasModelAsync(resource.Model, check.Token))
                {
                    await SettleAsync(notifications, $"{resource.Model} is present.", error: null);
                    return;
                }
            }
            log.LogInformation("Pulling {Model} from {Endpoint}", resource.Model, endpoint);
            await puller.PullAsync(resource.Model,
                percent => PublishAsync(notifications, $"Downloading {resource.Model} {percent} percent", KnownResourceStateStyles.Info),
                cancellationToken);
            log.LogInformation("Pulled {Model}", resource.Model);
            await SettleAsync(notifications, $"{resource.Model} is present.", error: null);
        }
        catch (Exception ex) when (ex is OllamaPullException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            log.LogError("Pulling {Model} failed: {Error}. The gateway answers retrieval-only until the model is there; use \"Pull again\" to retry.", resource.Model, ex.Message);
            await SettleAsync(notifications, $"pulling {resource.Model} failed: {ex.Message}", error: ex.Message);
        }
        finally
        {
            Interlocked.Exchange(ref _running, 0);
        }
    }

    private Task SettleAsync(ResourceNotificationService notifications, string description, string? error)
    {
        Settled = description;
        return notifications.PublishUpdateAsync(resource, state => state with
        {
            State = new ResourceStateSnapshot(KnownResourceStates.Running, error is null ? KnownResourceStateStyles.Success : KnownResourceStateStyles.Warn),
            Properties = [.. state.Properties.Where(p => p.Name != ErrorProperty), .. error is null ? Array.Empty<ResourcePropertySnapshot>() : [new ResourcePropertySnapshot(ErrorProperty, error)]],
        });
    }

    private Task PublishAsync(ResourceNotificationService notifications, string text, string style)
    {
        Settled = null;
        return notifications.PublishUpdateAsync(resource, state => state with { State = new ResourceStateSnapshot(text, style) });
    }

    public const string ErrorProperty = "ollama.pull.error";
}
