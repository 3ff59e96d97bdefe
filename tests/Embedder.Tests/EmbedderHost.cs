using System.Net;
using AspireMmRag.Embedding.Grpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Embedder.Tests;

/// <summary>
/// The real embedder (its Program, DI and gRPC pipeline) hosted in the test process: on the in-memory TestServer by default,
/// or on a loopback Kestrel port (<paramref name="useKestrel"/>) when real connections are needed.
/// </summary>
public sealed class EmbedderHost : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly bool _useKestrel;
    private GrpcChannel? _channel;

    public EmbedderHost(IReadOnlyDictionary<string, string?> settings, bool useKestrel = false)
    {
        _settings = settings;
        _useKestrel = useKestrel;
        if (useKestrel)
        {
            UseKestrel(options => options.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        }
    }

    /// <summary>Settings for a host serving the CLIP model in <paramref name="clipDirectory"/> (or none: a missing folder).</summary>
    public static Dictionary<string, string?> Settings(string clipDirectory, params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Models:AutoDownload"] = "false",
            ["Models:Clip:Directory"] = clipDirectory,
            ["Inference:ExecutionProvider"] = "Cpu",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>Every entry the host logs (what passes its <c>Logging:LogLevel</c> settings).</summary>
    public LogCollector Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    /// <summary>The loopback address of a Kestrel-hosted embedder.</summary>
    public string Address
    {
        get
        {
            StartServer();
            return Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        }
    }

    public Embedding.Grpc.Embedder.EmbedderClient CreateClient(int maxMessageBytes = 64 * 1024 * 1024) => new(Channel(maxMessageBytes));

    /// <summary>The host's gRPC channel (created on first use), e.g. for raw calls.</summary>
    public GrpcChannel Channel(int maxMessageBytes = 64 * 1024 * 1024) =>
        _channel ??= _useKestrel
            ? GrpcChannel.ForAddress(Address, new GrpcChannelOptions { MaxSendMessageSize = maxMessageBytes })
            : GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler(), MaxSendMessageSize = maxMessageBytes });

    /// <summary>Waits until the background model loader has settled (passage loaded; CLIP loaded or declared unavailable).</summary>
    public async Task<DescribeModelsResponse> WaitForModelsAsync(bool expectClip)
    {
        var client = CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (true)
        {
            var description = await client.DescribeModelsAsync(new DescribeModelsRequest(), cancellationToken: timeout.Token);
            var passage = description.Models.Single(m => m.Name == "passage");
            var clip = description.Models.Single(m => m.Name == "clip");
            var clipSettled = expectClip ? clip.Available : !string.IsNullOrEmpty(clip.UnavailableReason) && !clip.UnavailableReason.StartsWith("loading", StringComparison.Ordinal);
            if (passage.Available && clipSettled)
            {
                return description;
            }
            if (!passage.Available && passage.UnavailableReason != "loading")
            {
                throw new InvalidOperationException($"Passage model failed: {passage.UnavailableReason}");
            }
            if (expectClip && !clip.Available && clip.UnavailableReason != "loading" && !clip.UnavailableReason.StartsWith("downloading", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"CLIP model failed: {clip.UnavailableReason}");
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    protected override void Dispose(bool disposing)
    {
        _channel?.Dispose();
        base.Dispose(disposing);
    }
}
