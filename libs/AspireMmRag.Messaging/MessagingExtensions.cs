using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AspireMmRag.Messaging;

public static class MessagingExtensions
{
    /// <summary>The Aspire connection string name of the broker (<c>ConnectionStrings:messaging</c>, an amqp:// URI).</summary>
    public const string ConnectionName = "messaging";

    /// <summary>
    /// MassTransit over RabbitMQ, with the broker from <c>ConnectionStrings:messaging</c>. <paramref name="configure"/> adds
    /// the service's consumers; receive endpoints are configured by convention (kebab-case queue per consumer) unless the
    /// consumer definitions say otherwise.
    /// Host start-up waits until the bus has started and every receive endpoint is ready, so hosted services added after
    /// this call start with their queues already bound; <see cref="StartupPublisher"/> (registered here) is the way for
    /// start-up code to publish. Publisher confirms are on: a publish completes when the broker has taken the message.
    /// </summary>
    public static IHostApplicationBuilder AddRabbitMqMessaging(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not set: the AppHost passes the broker's amqp:// URI.");
        var uri = new Uri(connectionString);

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            configure?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(uri, host =>
                {
                    if (!string.IsNullOrEmpty(uri.UserInfo))
                    {
                        var credentials = uri.UserInfo.Split(':', 2);
                        host.Username(Uri.UnescapeDataString(credentials[0]));
                        host.Password(credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "");
                    }
                    host.RequestedConnectionTimeout(TimeSpan.FromSeconds(10));
                    host.PublisherConfirmation = true;
                });
                rabbit.ConfigureEndpoints(context);
            });
        });
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(options => options.WaitUntilStarted = true);
        builder.Services.TryAddSingleton<StartupPublisher>();
        return builder;
    }
}
