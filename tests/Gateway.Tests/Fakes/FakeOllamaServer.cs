using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Gateway.Tests.Fakes;

/// <summary>How <see cref="FakeOllamaServer"/> answers <c>POST /api/chat</c>.</summary>
public enum FakeChatMode
{
    /// <summary>Streams <see cref="FakeOllamaServer.ReplyChunks"/> as NDJSON, then the final <c>"done": true</c> chunk.</summary>
    Reply,

    /// <summary>404 <c>{"error": "model … not found, try pulling it first"}</c>, as Ollama answers for a model it does not have.</summary>
    ModelNotFound,

    /// <summary>500 with an error body before any chunk.</summary>
    ServerError,

    /// <summary>Streams <see cref="FakeOllamaServer.ChunksBeforeFailure"/> chunks, then drops the connection.</summary>
    AbortMidStream,

    /// <summary>Streams <see cref="FakeOllamaServer.ChunksBeforeFailure"/> chunks, then an <c>{"error": …}</c> line, and ends.</summary>
    ErrorMidStream,
}

/// <summary>
/// A stand-in for Ollama on 127.0.0.1 (a free port chosen by Kestrel) that speaks the documented endpoints the gateway uses:
/// <c>POST /api/chat</c> (NDJSON stream or one JSON object), <c>GET /api/tags</c>, <c>POST /api/show</c>, <c>GET /</c> and
/// <c>GET /api/version</c>. The behaviour can be changed between requests; every request body is kept in <see cref="Requests"/>.
/// </summary>
public sealed class FakeOllamaServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeOllamaRequest> _requests = new();

    private FakeOllamaServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The connection string the gateway reads as <c>ConnectionStrings:llm</c>.</summary>
    public string ConnectionString(string model = "llama3") => $"Endpoint={Endpoint};Model={model}";

    /// <summary>The models <c>/api/tags</c> lists (Ollama names carry a tag).</summary>
    public List<string> Models { get; } = ["llama3:latest"];

    public FakeChatMode ChatMode { get; set; } = FakeChatMode.Reply;
    public IReadOnlyList<string> ReplyChunks { get; set; } = ["Helsinki ", "has ", "Suomenlinna ", "[2]", "."];
    public int ChunksBeforeFailure { get; set; } = 2;

    /// <summary>Waited before the response starts (the model loading and reading the prompt).</summary>
    public TimeSpan FirstChunkDelay { get; set; }

    /// <summary>Waited between two chunks.</summary>
    public TimeSpan ChunkDelay { get; set; }

    public IReadOnlyList<FakeOllamaRequest> Requests => [.. _requests];
    public IReadOnlyList<FakeOllamaRequest> ChatRequests => [.. _requests.Where(r => r.Path == "/api/chat")];
    public int TagsRequests => _requests.Count(r => r.Path == "/api/tags");

    public static async Task<FakeOllamaServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // HTTP/1.1 set here: the test folder may hold the embedder's appsettings.json, whose Kestrel defaults are HTTP/2-only.
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        FakeOllamaServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeOllamaServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        string body;
        using (var reader = new StreamReader(context.Request.Body))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }
        _requests.Enqueue(new FakeOllamaRequest(context.Request.Method, path, body));

        switch (context.Request.Method, path)
        {
            case ("GET" or "HEAD", "/"):
                await context.Response.WriteAsync("Ollama is running", context.RequestAborted);
                break;
            case ("GET", "/api/version"):
                await context.Response.WriteAsJsonAsync(new { version = "0.13.0" }, context.RequestAborted);
                break;
            case ("GET", "/api/tags"):
                await WriteJsonAsync(context, new JsonObject
                {
                    ["models"] = new JsonArray([.. Models.Select(name => (JsonNode)new JsonObject
                    {
                        ["name"] = name,
                        ["model"] = name,
                        ["modified_at"] = "2026-01-01T00:00:00Z",
                        ["size"] = 4_661_224_676L,
                        ["digest"] = "365c0bd3c000a25d28ddbf732fe1c6add414de7275464c4e4d1c3b5fcb5d8ad1",
                    })]),
                });
                break;
            case ("POST", "/api/show"):
                var model = JsonNode.Parse(body)?["model"]?.GetValue<string>() ?? "";
                if (HasModel(model))
                {
                    await WriteJsonAsync(context, new JsonObject { ["modelfile"] = "FROM llama3", ["details"] = new JsonObject { ["family"] = "llama" } });
                }
                else
                {
                    await WriteErrorAsync(context, HttpStatusCode.NotFound, $"model '{model}' not found");
                }
                break;
            case ("POST", "/api/chat"):
                await ChatAsync(context, body);
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }

    private async Task ChatAsync(HttpContext context, string body)
    {
        var request = JsonNode.Parse(body) ?? new JsonObject();
        var model = request["model"]?.GetValue<string>() ?? "";
        var stream = request["stream"]?.GetValue<bool>() ?? true;
        var cancellationToken = context.RequestAborted;

        if (FirstChunkDelay > TimeSpan.Zero)
        {
            await Task.Delay(FirstChunkDelay, cancellationToken);
        }
        switch (ChatMode)
        {
            case FakeChatMode.ModelNotFound:
                await WriteErrorAsync(context, HttpStatusCode.NotFound, $"model \"{model}\" not found, try pulling it first");
                return;
            case FakeChatMode.ServerError:
                await WriteErrorAsync(context, HttpStatusCode.InternalServerError, "llama runner process has terminated");
                return;
        }

        if (!stream)
        {
            await WriteJsonAsync(context, Chunk(model, string.Concat(ReplyChunks), done: true));
            return;
        }

        context.Response.ContentType = "application/x-ndjson";
        var failing = ChatMode is FakeChatMode.AbortMidStream or FakeChatMode.ErrorMidStream;
        var chunks = failing ? ReplyChunks.Take(ChunksBeforeFailure) : ReplyChunks;
        var first = true;
        foreach (var text in chunks)
        {
            if (!first && ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(ChunkDelay, cancellationToken);
            }
            first = false;
            await WriteLineAsync(context, Chunk(model, text, done: false));
        }
        switch (ChatMode)
        {
            case FakeChatMode.AbortMidStream:
                // Give the client time to read the chunks: a reset connection loses what the client has not read yet.
                await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
                context.Abort();
                return;
            case FakeChatMode.ErrorMidStream:
                await WriteLineAsync(context, new JsonObject { ["error"] = "an error was encountered while running the model" });
                return;
        }
        await WriteLineAsync(context, Chunk(model, "", done: true));
    }

    private bool HasModel(string model) => Models.Any(name =>
        string.Equals(name, model, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(name, model + ":latest", StringComparison.OrdinalIgnoreCase));

    private static JsonObject Chunk(string model, string text, bool done)
    {
        var chunk = new JsonObject
        {
            ["model"] = model,
            ["created_at"] = "2026-01-01T00:00:00.000000000Z",
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
            ["done"] = done,
        };
        if (done)
        {
            chunk["done_reason"] = "stop";
            chunk["total_duration"] = 1_000_000L;
            chunk["load_duration"] = 100_000L;
            chunk["prompt_eval_count"] = 42;
            chunk["prompt_eval_duration"] = 200_000L;
            chunk["eval_count"] = 5;
            chunk["eval_duration"] = 700_000L;
        }
        return chunk;
    }

    private static async Task WriteLineAsync(HttpContext context, JsonNode line)
    {
        await context.Response.WriteAsync(line.ToJsonString() + "\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static Task WriteJsonAsync(HttpContext context, JsonNode body)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static Task WriteErrorAsync(HttpContext context, HttpStatusCode status, string error)
    {
        context.Response.StatusCode = (int)status;
        return WriteJsonAsync(context, new JsonObject { ["error"] = error });
    }
}

/// <summary>One request the fake received.</summary>
public sealed record FakeOllamaRequest(string Method, string Path, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}
