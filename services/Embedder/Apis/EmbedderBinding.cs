using System.Text;
using AspireMmRag.Embedder.Telemetry;
using AspireMmRag.Embedding.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace AspireMmRag.Embedder.Apis;

/// <summary>
/// Binds <see cref="EmbedderGrpcService"/> (in place of the generated binding) with request marshallers that turn a request
/// that does not parse (a string field holding invalid UTF-8, a malformed message) into INVALID_ARGUMENT. Parsing happens
/// before any interceptor runs, so without this the server answered UNKNOWN and logged an error with a stack trace per call;
/// now each such request is logged once, as a warning without a stack trace, and counted in <c>embedder.rejected</c>.
/// </summary>
public static partial class EmbedderBinding
{
    private static readonly IHttpContextAccessor HttpContexts = new HttpContextAccessor();

    /// <summary>Called by gRPC's service discovery through <see cref="BindServiceMethodAttribute"/> (the service is null there:
    /// handlers are found by method name).</summary>
    public static void BindService(ServiceBinderBase binder, Embedding.Grpc.Embedder.EmbedderBase? service)
    {
        binder.AddMethod(Unary("EmbedTexts", EmbedTextsRequest.Parser), service is null ? null : service.EmbedTexts);
        binder.AddMethod(Unary("EmbedImages", EmbedImagesRequest.Parser), service is null ? null : service.EmbedImages);
        binder.AddMethod(Unary<DescribeModelsRequest, DescribeModelsResponse>("DescribeModels", DescribeModelsRequest.Parser), service is null ? null : service.DescribeModels);
    }

    private static Method<TRequest, EmbedResponse> Unary<TRequest>(string name, MessageParser<TRequest> parser)
        where TRequest : IMessage<TRequest> => Unary<TRequest, EmbedResponse>(name, parser);

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name, MessageParser<TRequest> parser)
        where TRequest : IMessage<TRequest> where TResponse : IMessage<TResponse> =>
        new(MethodType.Unary, Embedding.Grpc.Embedder.Descriptor.FullName, name, RequestMarshaller(parser), Marshallers.Create<TResponse>(Serialize, _ => throw new NotSupportedException()));

    private static Marshaller<T> RequestMarshaller<T>(MessageParser<T> parser) where T : IMessage<T> =>
        Marshallers.Create<T>(Serialize, context =>
        {
            try
            {
                return parser.ParseFrom(context.PayloadAsReadOnlySequence());
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or DecoderFallbackException)
            {
                var reason = ex is DecoderFallbackException
                    ? $"The {typeof(T).Name} has a string field that is not valid UTF-8."
                    : $"The {typeof(T).Name} is not a valid message: {ex.Message}";
                Reject(reason);
                throw new RpcException(new Status(StatusCode.InvalidArgument, reason));
            }
        });

    private static void Serialize<T>(T message, SerializationContext context) where T : IMessage<T>
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    private static void Reject(string reason)
    {
        if (HttpContexts.HttpContext is not { } http)
        {
            return;
        }
        var services = http.RequestServices;
        services.GetService<EmbedderTelemetry>()?.Rejected.Add(1, new KeyValuePair<string, object?>("code", nameof(StatusCode.InvalidArgument)));
        if (services.GetService<ILoggerFactory>() is { } loggers)
        {
            LogUnparsable(loggers.CreateLogger(typeof(EmbedderBinding).FullName!), http.Request.Path, reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} refused with InvalidArgument, its request does not parse: {Reason}")]
    private static partial void LogUnparsable(ILogger logger, string method, string reason);
}
