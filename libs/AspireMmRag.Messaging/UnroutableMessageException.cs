namespace AspireMmRag.Messaging;

/// <summary>A mandatory publish came back from the broker: no queue is bound for the message's type.</summary>
public sealed class UnroutableMessageException(Type messageType, Exception innerException)
    : Exception($"The broker returned the {messageType.Name} message: no queue is bound for it, so no consumer would receive it.", innerException)
{
    public Type MessageType { get; } = messageType;
}
