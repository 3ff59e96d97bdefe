namespace AspireMmRag.Gateway.Catalog;

/// <summary>A message the catalog has applied, by its MassTransit message id: a redelivered copy is skipped.</summary>
public sealed class ProcessedMessage
{
    public Guid MessageId { get; set; }
    public DateTimeOffset ProcessedAt { get; set; }
}
