using Grpc.Net.Client;

namespace AspireMmRag.Embedder.Tests;

/// <summary>An embedder process with <c>Inference:ExecutionProvider=Auto</c> on a machine without CUDA: the fallback to CPU is
/// logged once, at information level with the reason, and ONNX Runtime logs no error for the CUDA provider.</summary>
public sealed class CpuFallbackLoggingTests : IDisposable
{
    private const string Fallback = "CUDA execution provider unavailable, every model runs on CPU: ";
    private readonly string _clip = Path.Combine(Path.GetTempPath(), $"mmrag-clip-{Guid.NewGuid():N}");

    [Fact]
    public async Task Auto_on_a_cpu_only_machine_logs_the_fallback_once_as_information_and_no_error()
    {
        var environment = PipelineServices.EmbedderEnvironment(PipelineServices.WriteClipModel(_clip));
        environment["Inference__ExecutionProvider"] = "Auto";
        environment["Logging__LogLevel__Default"] = "Information";
        await using var embedder = await PipelineServices.StartAsync("Embedder", environment, TimeSpan.FromMinutes(3), http2: true);
        using var channel = GrpcChannel.ForAddress(embedder.Url);
        var client = new Embedding.Grpc.Embedder.EmbedderClient(channel);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Embedding.Grpc.DescribeModelsResponse models;
        while (!(models = await client.DescribeModelsAsync(new Embedding.Grpc.DescribeModelsRequest(), cancellationToken: timeout.Token)).Models.All(m => m.Available))
        {
            await Task.Delay(200, timeout.Token);
        }
        if (models.Models.Any(m => m.ExecutionProvider == "CUDA"))
        {
            return; // a machine with CUDA: nothing falls back
        }

        var lines = embedder.Output.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        Assert.DoesNotContain(lines, line => line.Contains("[E:onnxruntime", StringComparison.Ordinal));
        var errors = lines.Select((line, i) => (line, next: i + 1 < lines.Length ? lines[i + 1] : ""))
            .Where(entry => entry.line.StartsWith("fail:", StringComparison.Ordinal) || entry.line.StartsWith("crit:", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, entry => (entry.line + entry.next).Contains("CUDA", StringComparison.OrdinalIgnoreCase)
                                               || (entry.line + entry.next).Contains("onnx", StringComparison.OrdinalIgnoreCase));
        var index = Array.FindIndex(lines, line => line.Contains(Fallback, StringComparison.Ordinal));
        Assert.True(index > 0, embedder.Output);
        Assert.Single(lines, line => line.Contains(Fallback, StringComparison.Ordinal));
        Assert.StartsWith("info:", lines[index - 1], StringComparison.Ordinal);
        Assert.True(lines[index].Length > lines[index].IndexOf(Fallback, StringComparison.Ordinal) + Fallback.Length, "the reason is missing");
    }

    public void Dispose()
    {
        if (Directory.Exists(_clip))
        {
            Directory.Delete(_clip, recursive: true);
        }
    }
}
