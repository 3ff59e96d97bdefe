using MassTransit;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Messaging;

/// <summary>
/// Publishing from start-up code, such as a hosted service's <c>ExecuteAsync</c>: <see cref="PublishAsync{T}"/> first waits until
/// the bus reports <see cref="BusHealthStatus.Healthy"/> (started, every receive endpoint's queue declared, bound and
/// consumed), then publishes with RabbitMQ's mandatory flag. With publisher confirms on (see
/// <see cref="MessagingExtensions.AddRabbitMqMessaging"/>), a message that no queue is bound for comes back from the broker
/// and the publish fails with <see cref="UnroutableMessageException"/>.
/// Await it from <c>ExecuteAsync</c>, never from <c>IHostedService.StartAsync</c>: the bus starts in a hosted service too.
/// </summary>
public sealed partial class StartupPublisher(IBusControl bus, ILogger<StartupPublisher> logger)
{
    /// <summary>Returns once the bus is <see cref="BusHealthStatus.Healthy"/>, checking every 100 ms.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var health = bus.CheckHealth();
        if (health.Status == BusHealthStatus.Healthy)
        {
            return;
        }
        LogWaiting(logger, health.Status, health.Description);
        await bus.WaitForHealthStatus(BusHealthStatus.Healthy, cancellationToken);
        LogReady(logger);
    }

    /// <summary>Waits for <see cref="WaitUntilReadyAsync"/>, then publishes <paramref name="message"/> as mandatory.</summary>
    /// <exception cref="UnroutableMessageException">The broker returned the message: no queue is bound for its type.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public async Task PublishAsync<T>(T message, CancellationToken cancellationToken) where T : class
    {
        await WaitUntilReadyAsync(cancellationToken);
        try
        {
            await bus.Publish(message, context => context.Mandatory = true, cancellationToken);
        }
        catch (MessageReturnedException ex)
        {
            throw new UnroutableMessageException(typeof(T), ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for the message bus before publishing ({Status}: {Description})")]
    private static partial void LogWaiting(ILogger logger, BusHealthStatus status, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "The message bus is ready: publishing")]
    private static partial void LogReady(ILogger logger);
}
