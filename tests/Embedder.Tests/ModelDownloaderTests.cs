using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AspireMmRag.Embedder.ModelDownload;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Embedder.Tests;

/// <summary>
/// <see cref="ModelDownloader"/> against a fake Hub on 127.0.0.1: <c>/{repo}/resolve/{revision}/{path}</c> serves the
/// files (optionally as a 302 to <c>/cdn/…</c> like the real Hub does for LFS files), <c>/api/models/{repo}/paths-info/{revision}</c>
/// answers like the Hub's API when enabled.
/// </summary>
public sealed class ModelDownloaderTests : IAsyncLifetime
{
    private const string Repo = "Xenova/clip-vit-base-patch32";
    private static readonly byte[] TextModel = RandomBytes(300_000, seed: 1);
    private static readonly byte[] Vocab = Encoding.UTF8.GetBytes("{\"a</w>\": 320, \"photo</w>\": 1125}");

    private readonly FakeHub _hub = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("model-downloader-").FullName;
    private readonly ListLogger _logger = new();

    public Task InitializeAsync() => _hub.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Fact]
    public async Task Downloads_and_verifies_against_the_hubs_X_Linked_Etag_and_records_SHA256SUMS()
    {
        _hub.Add("onnx/text_model.onnx", TextModel, linkedEtag: Sha256(TextModel));
        _hub.Add("vocab.json", Vocab); // a small non-LFS file: no sha256 on the Hub, size only

        var ok = await NewDownloader().EnsureAsync(Manifest(), _directory, _hub.Endpoint, CancellationToken.None);

        Assert.True(ok, _logger.Text);
        Assert.Equal(TextModel, await File.ReadAllBytesAsync(Path.Combine(_directory, "text_model.onnx")));
        Assert.Equal(Vocab, await File.ReadAllBytesAsync(Path.Combine(_directory, "vocab.json")));
        var sums = await File.ReadAllLinesAsync(Path.Combine(_directory, "SHA256SUMS"));
        Assert.Equal([$"{Sha256(TextModel)}  text_model.onnx", $"{Sha256(Vocab)}  vocab.json"], sums);
        Assert.Equal(["SHA256SUMS", "text_model.onnx", "vocab.json"], FilesInDirectory());
        Assert.Contains(_logger.Messages, m => m.Contains("verified against X-Linked-Etag", StringComparison.Ordinal));
        Assert.Contains(_logger.Messages, m => m.Contains("Downloading text_model.onnx: ", StringComparison.Ordinal)); // progress
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Finds_the_sha256_of_a_redirected_LFS_file_whether_or_not_the_handler_follows_redirects(bool handlerFollowsRedirects)
    {
        // The real Hub answers an LFS file with a 302 carrying X-Linked-Etag. A handler that follows the redirect loses
        // the header, so the downloader asks paths-info (lfs.oid); one that does not lets the downloader read it.
        _hub.Add("onnx/text_model.onnx", TextModel, linkedEtag: Sha256(TextModel), redirect: true);
        _hub.PathsInfo = true;

        var ok = await NewDownloader(followRedirects: handlerFollowsRedirects)
            .EnsureAsync(Manifest(("onnx/text_model.onnx", "text_model.onnx", null)), _directory, _hub.Endpoint, CancellationToken.None);

        Assert.True(ok, _logger.Text);
        Assert.Equal(TextModel, await File.ReadAllBytesAsync(Path.Combine(_directory, "text_model.onnx")));
        Assert.Equal(handlerFollowsRedirects, _hub.Requests.Any(r => r.Contains("/paths-info/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_checksum_mismatch_keeps_no_file_and_returns_false()
    {
        _hub.Add("onnx/text_model.onnx", TextModel, linkedEtag: Sha256([1, 2, 3]));
        _hub.Add("vocab.json", Vocab);

        var ok = await NewDownloader().EnsureAsync(Manifest(), _directory, _hub.Endpoint, CancellationToken.None);

        Assert.False(ok);
        Assert.False(File.Exists(Path.Combine(_directory, "text_model.onnx")));
        Assert.Equal(["SHA256SUMS", "vocab.json"], FilesInDirectory()); // no temp file left, the good file kept
        Assert.DoesNotContain("text_model.onnx", await File.ReadAllTextAsync(Path.Combine(_directory, "SHA256SUMS")), StringComparison.Ordinal);
        var warning = Assert.Single(_logger.Warnings, m => m.Contains("image embeddings will be unavailable", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("text_model.onnx", warning, StringComparison.Ordinal);
        Assert.Contains(_logger.Warnings, m => m.Contains("does not match", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_pinned_sha256_wins_over_the_hub(bool pinnedIsRight)
    {
        var hubSays = pinnedIsRight ? Sha256([9]) : Sha256(TextModel);
        var pinned = pinnedIsRight ? Sha256(TextModel) : Sha256([9]);
        _hub.Add("onnx/text_model.onnx", TextModel, linkedEtag: hubSays);

        var ok = await NewDownloader()
            .EnsureAsync(Manifest(("onnx/text_model.onnx", "text_model.onnx", pinned.ToUpperInvariant())), _directory, _hub.Endpoint, CancellationToken.None);

        Assert.Equal(pinnedIsRight, ok);
        Assert.Equal(pinnedIsRight, File.Exists(Path.Combine(_directory, "text_model.onnx")));
    }

    [Fact]
    public async Task An_unreachable_hub_returns_false_quickly_without_throwing()
    {
        var closedPort = ClosedPort();
        var stopwatch = Stopwatch.StartNew();

        var ok = await NewDownloader().EnsureAsync(Manifest(), _directory, $"http://127.0.0.1:{closedPort}", CancellationToken.None);

        Assert.False(ok);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        Assert.Contains(_logger.Warnings, m => m.Contains("could not be reached", StringComparison.Ordinal));
        Assert.Contains(_logger.Warnings, m => m.Contains("image embeddings will be unavailable", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(FilesInDirectory(), f => f.EndsWith(".onnx", StringComparison.Ordinal) || f.EndsWith(".partial", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancellation_throws_and_leaves_no_partial_file()
    {
        _hub.Add("onnx/text_model.onnx", TextModel, linkedEtag: Sha256(TextModel), stall: true);
        using var cancellation = new CancellationTokenSource();
        _hub.FirstBytesSent = () => cancellation.CancelAfter(100);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            NewDownloader().EnsureAsync(Manifest(("onnx/text_model.onnx", "text_model.onnx", null)), _directory, _hub.Endpoint, cancellation.Token));

        Assert.DoesNotContain(FilesInDirectory(), f => f.Contains("text_model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_overall_deadline_returns_false_instead_of_throwing()
    {
        _hub.Add("onnx/text_model.onnx", TextModel, linkedEtag: Sha256(TextModel), stall: true);

        var ok = await NewDownloader().EnsureAsync(
            Manifest(("onnx/text_model.onnx", "text_model.onnx", null)), _directory, _hub.Endpoint, TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.False(ok);
        Assert.Contains(_logger.Warnings, m => m.Contains("took longer than", StringComparison.Ordinal));
        Assert.DoesNotContain(FilesInDirectory(), f => f.Contains("text_model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stalled_download_fails_after_HttpClient_Timeout()
    {
        _hub.Add("onnx/text_model.onnx", TextModel, linkedEtag: Sha256(TextModel), stall: true);

        var ok = await NewDownloader(timeout: TimeSpan.FromMilliseconds(500))
            .EnsureAsync(Manifest(("onnx/text_model.onnx", "text_model.onnx", null)), _directory, _hub.Endpoint, CancellationToken.None);

        Assert.False(ok);
        Assert.Contains(_logger.Warnings, m => m.Contains("No data received", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_call_downloads_nothing()
    {
        _hub.Add("onnx/text_model.onnx", TextModel, linkedEtag: Sha256(TextModel));
        _hub.Add("vocab.json", Vocab);
        var downloader = NewDownloader();
        Assert.True(await downloader.EnsureAsync(Manifest(), _directory, _hub.Endpoint, CancellationToken.None), _logger.Text);
        var requestsAfterFirstCall = _hub.Requests.Count;

        Assert.True(await NewDownloader().EnsureAsync(Manifest(), _directory, _hub.Endpoint, CancellationToken.None), _logger.Text);

        Assert.Equal(requestsAfterFirstCall, _hub.Requests.Count);
    }

    [Fact]
    public async Task A_corrupted_file_is_replaced()
    {
        _hub.Add("onnx/text_model.onnx", TextModel, linkedEtag: Sha256(TextModel));
        var manifest = Manifest(("onnx/text_model.onnx", "text_model.onnx", null));
        Assert.True(await NewDownloader().EnsureAsync(manifest, _directory, _hub.Endpoint, CancellationToken.None), _logger.Text);
        await File.WriteAllBytesAsync(Path.Combine(_directory, "text_model.onnx"), [1, 2, 3]);

        Assert.True(await NewDownloader().EnsureAsync(manifest, _directory, _hub.Endpoint, CancellationToken.None), _logger.Text);

        Assert.Equal(TextModel, await File.ReadAllBytesAsync(Path.Combine(_directory, "text_model.onnx")));
    }

    [Fact]
    public async Task A_present_file_without_a_recorded_checksum_is_checked_against_the_hub_not_downloaded()
    {
        _hub.Add("onnx/text_model.onnx", TextModel, linkedEtag: Sha256(TextModel));
        await File.WriteAllBytesAsync(Path.Combine(_directory, "text_model.onnx"), TextModel);

        var ok = await NewDownloader()
            .EnsureAsync(Manifest(("onnx/text_model.onnx", "text_model.onnx", null)), _directory, _hub.Endpoint, CancellationToken.None);

        Assert.True(ok, _logger.Text);
        Assert.DoesNotContain(_hub.Requests, r => r.StartsWith("GET /", StringComparison.Ordinal) && r.Contains("/resolve/", StringComparison.Ordinal));
        Assert.Contains(Sha256(TextModel), await File.ReadAllTextAsync(Path.Combine(_directory, "SHA256SUMS")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_repository_manifest_describes_the_clip_export()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AspireMmRag.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var clip = ModelManifest.Load(Path.Combine(root.FullName, "models", ModelManifest.FileName)).Get("clip");

        Assert.Equal(Repo, clip.Repo);
        Assert.Equal("main", clip.Revision);
        Assert.Equal("clip-vit-base-patch32", clip.Folder);
        Assert.Equal(
            [("onnx/text_model.onnx", "text_model.onnx"), ("onnx/vision_model.onnx", "vision_model.onnx"), ("vocab.json", "vocab.json"), ("merges.txt", "merges.txt")],
            clip.Files.Select(f => (f.Path, f.Name)));
    }

    [Theory]
    [InlineData("""{ "path": "../x.onnx" }""")]
    [InlineData("""{ "path": "x.onnx", "name": "../x.onnx" }""")]
    [InlineData("""{ "path": "x.onnx", "name": "SHA256SUMS" }""")]
    [InlineData("""{ "path": "x.onnx", "sha256": "abc" }""")]
    public void The_manifest_rejects_unsafe_or_malformed_files(string file)
    {
        var json = $$"""{ "models": { "m": { "repo": "a/b", "folder": "f", "files": [ {{file}} ] } } }""";

        Assert.Throws<InvalidDataException>(() => ModelManifest.Parse(json));
    }

    private ModelDownloader NewDownloader(bool followRedirects = true, TimeSpan? timeout = null) =>
        new(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = followRedirects }) { Timeout = timeout ?? TimeSpan.FromSeconds(30) }, _logger);

    private static ModelManifestEntry Manifest(params (string Path, string Name, string? Sha256)[] files)
    {
        if (files.Length == 0)
        {
            files = [("onnx/text_model.onnx", "text_model.onnx", null), ("vocab.json", "vocab.json", null)];
        }

        var json = new JsonObject
        {
            ["models"] = new JsonObject
            {
                ["clip"] = new JsonObject
                {
                    ["repo"] = Repo,
                    ["folder"] = "clip-vit-base-patch32",
                    ["feature"] = "image embeddings",
                    ["files"] = new JsonArray(files.Select(f => (JsonNode)new JsonObject { ["path"] = f.Path, ["name"] = f.Name, ["sha256"] = f.Sha256 }).ToArray()),
                },
            },
        };
        return ModelManifest.Parse(json.ToJsonString()).Get("clip");
    }

    private string[] FilesInDirectory() =>
        [.. Directory.EnumerateFiles(_directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record HubFile(byte[] Content, string? LinkedEtag, bool Redirect, bool Stall);

    /// <summary>A minimal stand-in for huggingface.co, recording every request as "METHOD /path".</summary>
    private sealed class FakeHub : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, HubFile> _files = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<string> _requests = new();
        private readonly string _contentRoot = Directory.CreateTempSubdirectory("fake-hub-").FullName;
        private WebApplication? _app;

        public string Endpoint { get; private set; } = "";
        public bool PathsInfo { get; set; }
        public Action? FirstBytesSent { get; set; }
        public IReadOnlyCollection<string> Requests => _requests;

        public void Add(string path, byte[] content, string? linkedEtag = null, bool redirect = false, bool stall = false) =>
            _files[path] = new HubFile(content, linkedEtag, redirect, stall);

        public async Task StartAsync()
        {
            // An empty content root: the test folder holds the embedder's appsettings.json, whose Kestrel is HTTP/2-only.
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = _contentRoot });
            builder.Configuration["Kestrel:EndpointDefaults:Protocols"] = "Http1";
            builder.Logging.ClearProviders();
            _app = builder.Build();
            _app.Urls.Add("http://127.0.0.1:0");
            _app.Run(HandleAsync);
            await _app.StartAsync();
            Endpoint = _app.Urls.First().TrimEnd('/');
        }

        private async Task HandleAsync(HttpContext context)
        {
            var path = context.Request.Path.Value ?? "";
            _requests.Enqueue($"{context.Request.Method} {path}");
            var resolvePrefix = $"/{Repo}/resolve/main/";
            if (path == $"/api/models/{Repo}/paths-info/main" && PathsInfo && HttpMethods.IsPost(context.Request.Method))
            {
                var asked = JsonNode.Parse(context.Request.Body is { } body ? await new StreamReader(body).ReadToEndAsync() : "{}")!["paths"]!.AsArray();
                var entries = new JsonArray();
                foreach (var p in asked.Select(n => n!.GetValue<string>()).Where(_files.ContainsKey))
                {
                    var file = _files[p];
                    var entry = new JsonObject { ["type"] = "file", ["path"] = p, ["oid"] = new string('0', 40), ["size"] = file.LinkedEtag is null ? file.Content.Length : 134 };
                    if (file.LinkedEtag is not null)
                    {
                        entry["lfs"] = new JsonObject { ["oid"] = file.LinkedEtag, ["size"] = file.Content.Length, ["pointerSize"] = 134 };
                    }

                    entries.Add(entry);
                }

                await context.Response.WriteAsJsonAsync(entries);
            }
            else if (path.StartsWith(resolvePrefix, StringComparison.Ordinal) && _files.TryGetValue(path[resolvePrefix.Length..], out var file))
            {
                if (file.LinkedEtag is not null)
                {
                    context.Response.Headers["X-Linked-Etag"] = $"\"{file.LinkedEtag}\"";
                    context.Response.Headers["X-Linked-Size"] = file.Content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                if (file.Redirect)
                {
                    context.Response.StatusCode = StatusCodes.Status302Found;
                    context.Response.Headers.Location = $"/cdn/{path[resolvePrefix.Length..]}";
                    return;
                }

                await ServeAsync(context, file);
            }
            else if (path.StartsWith("/cdn/", StringComparison.Ordinal) && _files.TryGetValue(path["/cdn/".Length..], out var cdnFile))
            {
                await ServeAsync(context, cdnFile);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        }

        private async Task ServeAsync(HttpContext context, HubFile file)
        {
            context.Response.ContentLength = file.Content.Length;
            context.Response.ContentType = "application/octet-stream";
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return;
            }

            if (!file.Stall)
            {
                await context.Response.Body.WriteAsync(file.Content, context.RequestAborted);
                return;
            }

            await context.Response.Body.WriteAsync(file.Content.AsMemory(0, 1000), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            FirstBytesSent?.Invoke();
            try
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _app!.Lifetime.ApplicationStopping);
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.StopAsync(TimeSpan.FromSeconds(5));
                await _app.DisposeAsync();
            }

            Directory.Delete(_contentRoot, recursive: true);
        }
    }

    /// <summary>Keeps formatted messages so tests can assert on what an operator would read.</summary>
    private sealed class ListLogger : ILogger<ModelDownloader>
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

        public IEnumerable<string> Messages => _entries.Select(e => e.Message);
        public IEnumerable<string> Warnings => _entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message);
        public string Text => string.Join(Environment.NewLine, _entries.Select(e => $"{e.Level}: {e.Message}"));

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
