using AspireMmRag.Gateway.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace AspireMmRag.Gateway.Catalog;

/// <summary>
/// Applies one message to the catalog exactly once: a message id already in <see cref="CatalogDbContext.ProcessedMessages"/>
/// is skipped (a redelivery), otherwise the change and the id are saved in one transaction. Listeners of the touched job's
/// event stream are woken afterwards (<see cref="JobEventSignal"/>).
/// </summary>
public sealed partial class CatalogUpdater(CatalogDbContext db, CatalogProjection projection, JobEventSignal signal, TimeProvider time,
    ILogger<CatalogUpdater> logger)
{
    public async Task ApplyOnceAsync(Guid? messageId, string messageType, Func<CatalogProjection, CancellationToken, Task<IngestJob?>> apply,
        CancellationToken cancellationToken)
    {
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("catalog apply");
        activity?.SetTag("messaging.message.type", messageType);
        if (messageId is { } id)
        {
            if (await db.ProcessedMessages.AnyAsync(m => m.MessageId == id, cancellationToken))
            {
                LogDuplicate(logger, messageType, id);
                activity?.SetTag("catalog.duplicate", true);
                return;
            }
            db.ProcessedMessages.Add(new ProcessedMessage { MessageId = id, ProcessedAt = time.GetUtcNow() });
        }
        var job = await apply(projection, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (job is not null)
        {
            activity?.SetTag("ingest.job.id", job.Id);
            signal.Notify(job.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped {MessageType} {MessageId}: already applied")]
    private static partial void LogDuplicate(ILogger logger, string messageType, Guid messageId);
}
