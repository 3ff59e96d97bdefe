using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.TestModels;

/// <summary>
/// A fake Wikipedia on http://127.0.0.1:{random port}: <c>/w/api.php</c> answers from the fixture JSON in <c>MediaWiki/</c>
/// (embedded in this assembly; formatversion=2 shapes: <c>{title}.page.json</c> and <c>{title}.images.json</c>, else
/// <c>missing.*.json</c>; <c>{{base}}</c> becomes this server's address, <c>{{title}}</c> the asked title), <c>/images/…</c> serves real
/// PNG/JPEG bytes. It records every request, counts requests in flight at once, and can be told to throttle the next requests.
/// </summary>
public sealed class FakeMediaWikiServer : IAsyncDisposable
{
    public enum Throttle
    {
        Http429,
        Http503,
        Maxlag,
        RateLimited,
    }

    public static readonly byte[] CathedralJpeg = TestImages.SolidJpeg(40, 90, 160, 160, 120);
    public static readonly byte[] SuomenlinnaPng = TestImages.SolidPng(30, 140, 60, 200, 150);
    public static readonly byte[] CoatOfArmsPng = TestImages.SolidPng(200, 30, 30, 120, 140);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Throttle> _throttles = new();
    private int _inFlight;
    private int _maxInFlight;
    private int _requestCount;

    private FakeMediaWikiServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;
    public string ApiEndpoint => new Uri(BaseUri, "w/api.php").AbsoluteUri;
    public ConcurrentQueue<string> ApiQueries { get; } = new();
    public ConcurrentQueue<string> ImagePaths { get; } = new();
    public ConcurrentQueue<string?> UserAgents { get; } = new();
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>Answers the next <paramref name="count"/> requests (any path) with <paramref name="kind"/> and Retry-After: 1.</summary>
    public void ThrottleNext(Throttle kind, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _throttles.Enqueue(kind);
        }
    }

    public static async Task<FakeMediaWikiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // HTTP/1.1 set here, whatever an appsettings.json copied into the test folder says of Kestrel's defaults.
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var server = new FakeMediaWikiServer(app);
        server.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address.Replace("[::]", "127.0.0.1").TrimEnd('/') + "/");
        return server;
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref _requestCount);
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
            {
            }
            try
            {
                UserAgents.Enqueue(context.Request.Headers.UserAgent.ToString());
                await Task.Delay(15); // long enough for overlapping requests to be seen
                if (_throttles.TryDequeue(out var throttle))
                {
                    await WriteThrottleAsync(context, throttle);
                    return;
                }
                await next(context);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        });

        app.MapGet("/w/api.php", (HttpContext context) =>
        {
            var query = context.Request.Query;
            ApiQueries.Enqueue(context.Request.QueryString.Value ?? "");
            var title = query["titles"].ToString();
            var key = title.ToLowerInvariant().Replace(' ', '_');
            var kind = query["generator"] == "images" ? "images" : "page";
            var name = Fixtures.Exists($"{key}.{kind}.json") ? $"{key}.{kind}.json" : $"missing.{kind}.json";
            return Json(Fixtures.Read(name).Replace("{{title}}", title).Replace("{{base}}", BaseUri.AbsoluteUri.TrimEnd('/')));
        });

        app.MapGet("/images/{**path}", (string path) =>
        {
            ImagePaths.Enqueue(path);
            return path switch
            {
                _ when path.Contains("Cathedral", StringComparison.Ordinal) => Results.Bytes(CathedralJpeg, "image/jpeg"),
                _ when path.Contains("Suomenlinna", StringComparison.Ordinal) => Results.Bytes(SuomenlinnaPng, "image/png"),
                _ when path.Contains("Coat_of_arms", StringComparison.Ordinal) => Results.Bytes(CoatOfArmsPng, "image/png"),
                _ => Results.NotFound(),
            };
        });

        app.MapGet("/ok", () => Results.Text("done"));
        app.MapGet("/redirect-out", () => Results.Redirect("http://forbidden.example.org/steal"));
        app.MapGet("/redirect-to-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data/"));
        app.MapGet("/redirect-chain/{n:int}", (int n) => Results.Redirect(n <= 0 ? "/ok" : $"/redirect-chain/{n - 1}"));
        app.MapGet("/big", async (HttpContext context) =>
        {
            // Chunked, no Content-Length: the cap must hold while streaming.
            context.Response.ContentType = "application/octet-stream";
            var chunk = new byte[16 * 1024];
            for (var i = 0; i < 128 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        app.MapGet("/big-declared", async (HttpContext context) =>
        {
            // Declares 10 MB, sends 1 KB and stalls: the declared length alone must be refused, without waiting for the body.
            context.Response.ContentLength = 10_000_000;
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(new byte[1024], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
            }
        });
        app.MapGet("/slow", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            return Results.Text("late");
        });
    }

    /// <summary>The fixture JSON files (<c>MediaWiki/*.json</c>), embedded so that every test project referencing this one has them.</summary>
    private static class Fixtures
    {
        private const string Prefix = "MediaWiki/";

        public static bool Exists(string name) => typeof(FakeMediaWikiServer).Assembly.GetManifestResourceInfo(Prefix + name) is not null;

        public static string Read(string name)
        {
            using var stream = typeof(FakeMediaWikiServer).Assembly.GetManifestResourceStream(Prefix + name)
                ?? throw new FileNotFoundException($"No embedded MediaWiki fixture '{name}'.", name);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    private static IResult Json(string json) => Results.Text(json, "application/json; charset=utf-8");

    private static async Task WriteThrottleAsync(HttpContext context, Throttle throttle)
    {
        context.Response.Headers.RetryAfter = "1";
        switch (throttle)
        {
            case Throttle.Http429:
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await context.Response.WriteAsync("Too many requests");
                break;
            case Throttle.Http503:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsync("Service unavailable");
                break;
            case Throttle.Maxlag:
                context.Response.Headers["X-Database-Lag"] = "7";
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.WriteAsync(Fixtures.Read("error.maxlag.json"));
                break;
            case Throttle.RateLimited:
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.WriteAsync(Fixtures.Read("error.ratelimited.json"));
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
