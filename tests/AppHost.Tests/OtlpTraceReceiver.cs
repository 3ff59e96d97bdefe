using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.AppHost.Tests;

/// <summary>One exported span, as the test reads it: ids in lower-case hex, the exporting service and the instrumentation scope.</summary>
public sealed record ReceivedSpan(
    string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Service, string ServiceInstance, string Scope,
    IReadOnlyDictionary<string, string> Attributes)
{
    public override string ToString() => $"{Service}/{ServiceInstance} [{Scope}] '{Name}' kind={Kind} span={SpanId} parent={ParentSpanId}";
}

/// <summary>
/// A small OTLP/HTTP receiver (binary protobuf, what the services' OpenTelemetry exporter sends with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>) on a free loopback port: <c>POST /v1/traces</c> is decoded and kept,
/// <c>/v1/metrics</c> and <c>/v1/logs</c> are accepted and dropped. The .NET exporter has no http/json protocol, so the few
/// OTLP messages a test needs are read straight from the protobuf wire format (no generated code).
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private int _requests;
    private int _rejected;

    private OtlpTraceReceiver(WebApplication app) => _app = app;

    /// <summary>The base endpoint for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the exporter appends <c>/v1/traces</c>).</summary>
    public string Endpoint { get; private set; } = "";

    public int TraceRequests => Volatile.Read(ref _requests);

    /// <summary>Trace exports whose body could not be decoded (answered 400).</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public IReadOnlyList<ReceivedSpan> Trace(string traceId) => [.. _spans.Where(s => s.TraceId == traceId)];

    public static async Task<OtlpTraceReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        var receiver = new OtlpTraceReceiver(app);
        app.MapPost("/v1/traces", receiver.ReceiveTracesAsync);
        app.MapPost("/v1/metrics", () => Results.Bytes([], "application/x-protobuf"));
        app.MapPost("/v1/logs", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Endpoint = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return receiver;
    }

    private async Task<IResult> ReceiveTracesAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _requests);
        using var buffer = new MemoryStream();
        var body = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(request.Body, CompressionMode.Decompress)
            : request.Body;
        await body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        try
        {
            foreach (var span in OtlpTraceDecoder.Decode(buffer.ToArray()))
            {
                _spans.Enqueue(span);
            }
        }
        catch (FormatException)
        {
            Interlocked.Increment(ref _rejected);
            return Results.BadRequest();
        }
        // An empty ExportTraceServiceResponse (no partial_success) is a body of zero bytes.
        return Results.Bytes([], "application/x-protobuf");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// Reads <c>opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest</c> from the protobuf wire format: resource_spans
/// (1) → resource (1) with attributes (1), scope_spans (2) → scope (1, name 1) and spans (2: trace_id 1, span_id 2,
/// parent_span_id 4, name 5, kind 6, attributes 9). Attribute values keep strings, integers, doubles and booleans as text.
/// </summary>
public static class OtlpTraceDecoder
{
    public static IReadOnlyList<ReceivedSpan> Decode(byte[] message)
    {
        var spans = new List<ReceivedSpan>();
        var reader = new ProtoReader(message);
        while (reader.Next(out var field, out var wireType))
        {
            if (field == 1 && wireType == 2)
            {
                ReadResourceSpans(reader.Bytes(), spans);
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        return spans;
    }

    private static void ReadResourceSpans(ReadOnlyMemory<byte> message, List<ReceivedSpan> spans)
    {
        var resource = new Dictionary<string, string>();
        var scopes = new List<ReadOnlyMemory<byte>>();
        var reader = new ProtoReader(message);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, 2):
                    var resourceReader = new ProtoReader(reader.Bytes());
                    while (resourceReader.Next(out var f, out var w))
                    {
                        if (f == 1 && w == 2)
                        {
                            var (key, value) = ReadKeyValue(resourceReader.Bytes());
                            resource[key] = value;
                        }
                        else
                        {
                            resourceReader.Skip(w);
                        }
                    }
                    break;
                case (2, 2):
                    scopes.Add(reader.Bytes());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        var service = resource.GetValueOrDefault("service.name", "");
        var instance = resource.GetValueOrDefault("service.instance.id", "");
        foreach (var scopeSpans in scopes)
        {
            ReadScopeSpans(scopeSpans, service, instance, spans);
        }
    }

    private static void ReadScopeSpans(ReadOnlyMemory<byte> message, string service, string instance, List<ReceivedSpan> spans)
    {
        var scope = "";
        var raw = new List<ReadOnlyMemory<byte>>();
        var reader = new ProtoReader(message);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, 2):
                    var scopeReader = new ProtoReader(reader.Bytes());
                    while (scopeReader.Next(out var f, out var w))
                    {
                        if (f == 1 && w == 2)
                        {
                            scope = scopeReader.String();
                        }
                        else
                        {
                            scopeReader.Skip(w);
                        }
                    }
                    break;
                case (2, 2):
                    raw.Add(reader.Bytes());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        foreach (var span in raw)
        {
            spans.Add(ReadSpan(span, service, instance, scope));
        }
    }

    private static ReceivedSpan ReadSpan(ReadOnlyMemory<byte> message, string service, string instance, string scope)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>();
        var reader = new ProtoReader(message);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, 2): traceId = Convert.ToHexStringLower(reader.Bytes().Span); break;
                case (2, 2): spanId = Convert.ToHexStringLower(reader.Bytes().Span); break;
                case (4, 2): parent = Convert.ToHexStringLower(reader.Bytes().Span); break;
                case (5, 2): name = reader.String(); break;
                case (6, 0): kind = (int)reader.Varint(); break;
                case (9, 2):
                    var (key, value) = ReadKeyValue(reader.Bytes());
                    attributes[key] = value;
                    break;
                default: reader.Skip(wireType); break;
            }
        }
        return new ReceivedSpan(traceId, spanId, parent, name, kind, service, instance, scope, attributes);
    }

    private static (string Key, string Value) ReadKeyValue(ReadOnlyMemory<byte> message)
    {
        string key = "", value = "";
        var reader = new ProtoReader(message);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, 2): key = reader.String(); break;
                case (2, 2): value = ReadAnyValue(reader.Bytes()); break;
                default: reader.Skip(wireType); break;
            }
        }
        return (key, value);
    }

    private static string ReadAnyValue(ReadOnlyMemory<byte> message)
    {
        var reader = new ProtoReader(message);
        var value = "";
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, 2): value = reader.String(); break;
                case (2, 0): value = reader.Varint() != 0 ? "true" : "false"; break;
                case (3, 0): value = ((long)reader.Varint()).ToString(System.Globalization.CultureInfo.InvariantCulture); break;
                case (4, 1): value = BitConverter.Int64BitsToDouble((long)reader.Fixed64()).ToString(System.Globalization.CultureInfo.InvariantCulture); break;
                default: reader.Skip(wireType); value = "(complex)"; break;
            }
        }
        return value;
    }

    /// <summary>The protobuf wire format: tags (field number and wire type), varints, fixed 32/64-bit and length-delimited fields.</summary>
    private sealed class ProtoReader(ReadOnlyMemory<byte> data)
    {
        private int _position;

        public bool Next(out int field, out int wireType)
        {
            if (_position >= data.Length)
            {
                field = 0;
                wireType = 0;
                return false;
            }
            var tag = Varint();
            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            if (field == 0)
            {
                throw new FormatException("Protobuf field number 0.");
            }
            return true;
        }

        public ulong Varint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_position >= data.Length)
                {
                    throw new FormatException("Truncated varint.");
                }
                var b = data.Span[_position++];
                result |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }
            throw new FormatException("Varint longer than 10 bytes.");
        }

        public ulong Fixed64()
        {
            Require(8);
            var value = BitConverter.ToUInt64(data.Span.Slice(_position, 8));
            _position += 8;
            return value;
        }

        public ReadOnlyMemory<byte> Bytes()
        {
            var length = checked((int)Varint());
            Require(length);
            var slice = data.Slice(_position, length);
            _position += length;
            return slice;
        }

        public string String() => Encoding.UTF8.GetString(Bytes().Span);

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0: Varint(); break;
                case 1: Require(8); _position += 8; break;
                case 2: Bytes(); break;
                case 5: Require(4); _position += 4; break;
                default: throw new FormatException($"Unsupported protobuf wire type {wireType}.");
            }
        }

        private void Require(int length)
        {
            if (length < 0 || _position + length > data.Length)
            {
                throw new FormatException("Truncated protobuf field.");
            }
        }
    }
}
