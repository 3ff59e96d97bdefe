using AspireMmRag.Gateway.Model;
using LLama;
using LLama.Common;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Answering.LlamaSharp;

/// <summary>The GGUF weights, loaded once for the process (on the first call of <see cref="GetWeightsAsync"/> or
/// <see cref="StartLoading"/>) and shared by every answer. CPU only unless <see cref="LlmOptions.GpuLayerCount"/> is set.</summary>
public sealed partial class LlamaSharpModel : IDisposable
{
    /// <summary>The context used when <see cref="LlmOptions.ContextSize"/> is unset and the model's own is longer.</summary>
    public const uint DefaultMaxContextSize = 4096;

    private readonly LlmOptions _settings;
    private readonly ILogger<LlamaSharpModel> _logger;
    private readonly Lazy<Task<LLamaWeights>> _load;
    private volatile bool _disposed;

    public LlamaSharpModel(IOptions<LlmOptions> options, ILogger<LlamaSharpModel> logger)
    {
        _settings = options.Value;
        _logger = logger;
        Parameters = new ModelParams(_settings.ModelPath ?? "")
        {
            ContextSize = _settings.ContextSize,
            GpuLayerCount = _settings.GpuLayerCount,
            Threads = _settings.Threads,
            BatchThreads = _settings.Threads,
        };
        _load = new Lazy<Task<LLamaWeights>>(LoadAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The model and context parameters; <see cref="ModelParams.ContextSize"/> is settled once the weights loaded.</summary>
    public ModelParams Parameters { get; }

    public string ModelId => _settings.ModelId;

    /// <summary>Starts loading without waiting (the warm-up at start).</summary>
    public void StartLoading() => _ = _load.Value;

    public Task<LLamaWeights> GetWeightsAsync(CancellationToken cancellationToken) =>
        _load.Value.WaitAsync(cancellationToken);

    public LanguageModelInfo Status
    {
        get
        {
            var path = _settings.ModelPath;
            if (!_load.IsValueCreated)
            {
                return new LanguageModelInfo("llamasharp", ModelId, path, false, "The GGUF file has not been loaded yet.");
            }
            var load = _load.Value;
            return load.Status switch
            {
                TaskStatus.RanToCompletion => new LanguageModelInfo("llamasharp", ModelId, path, true, null),
                TaskStatus.Faulted => new LanguageModelInfo("llamasharp", ModelId, path, false,
                    $"The GGUF file '{path}' failed to load: {load.Exception?.GetBaseException().Message}"),
                _ => new LanguageModelInfo("llamasharp", ModelId, path, false, $"The GGUF file '{path}' is loading."),
            };
        }
    }

    public void Dispose()
    {
        _disposed = true;
        if (_load.IsValueCreated && _load.Value.Status == TaskStatus.RanToCompletion)
        {
            _load.Value.Result.Dispose();
        }
    }

    private async Task<LLamaWeights> LoadAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var path = _settings.ModelPath;
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            throw new FileNotFoundException($"The GGUF file Llm:ModelPath='{path}' does not exist.", path);
        }
        try
        {
            var started = TimeProvider.System.GetTimestamp();
            var weights = await Task.Run(() => LLamaWeights.LoadFromFile(Parameters));
            Parameters.ContextSize ??= Math.Min((uint)Math.Max(weights.ContextSize, 1), DefaultMaxContextSize);
            LogLoaded(_logger, path, Parameters.ContextSize.Value, Parameters.GpuLayerCount, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
            return weights;
        }
        catch (Exception ex)
        {
            LogLoadFailed(_logger, ex, path);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded the GGUF model {Path} (context {ContextSize} tokens, {GpuLayers} GPU layers) in {ElapsedMs:0} ms")]
    private static partial void LogLoaded(ILogger logger, string path, uint contextSize, int gpuLayers, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "The GGUF model {Path} failed to load; answers are extracted from the sources")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string path);
}

/// <summary>Starts loading the GGUF file when the host starts, without holding up the start.</summary>
internal sealed class LlamaSharpWarmup(LlamaSharpModel model) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        model.StartLoading();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
