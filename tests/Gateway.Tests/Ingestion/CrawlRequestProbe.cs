using System.Text.Json;
using RabbitMQ.Client;

namespace AspireMmRag.Gateway.Tests.Ingestion;

/// <summary>
/// A temporary queue of our own bound to the exchange MassTransit publishes <c>CrawlRequested</c> to, on a virtual host with
/// no crawler: every request the gateway publishes lands here, so a test can count them and read their request ids.
/// </summary>
public sealed class CrawlRequestProbe : IAsyncDisposable
{
    /// <summary>MassTransit's publish exchange for <c>AspireMmRag.Messaging.CrawlRequested</c> (fanout, durable).</summary>
    public const string Exchange = "AspireMmRag.Messaging:CrawlRequested";

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;

    private CrawlRequestProbe(IConnection connection, IChannel channel, string queue) =>
        (_connection, _channel, _queue) = (connection, channel, queue);

    public static async Task<CrawlRequestProbe> StartAsync(string messaging)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(messaging) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, Exchange, routingKey: "");
        return new CrawlRequestProbe(connection, channel, queue);
    }

    public async Task<uint> CountAsync() => (await _channel.QueueDeclarePassiveAsync(_queue)).MessageCount;

    /// <summary>Takes every waiting message and returns each one's <c>message</c> (the CrawlRequested, camelCase JSON).</summary>
    public async Task<List<JsonElement>> DrainAsync()
    {
        var messages = new List<JsonElement>();
        while (await _channel.BasicGetAsync(_queue, autoAck: true) is { } delivery)
        {
            var envelope = JsonDocument.Parse(delivery.Body).RootElement;
            messages.Add((envelope.TryGetProperty("message", out var message) ? message : envelope).Clone());
        }
        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _channel.DisposeAsync();
        await _connection.CloseAsync();
        await _connection.DisposeAsync();
    }
}
