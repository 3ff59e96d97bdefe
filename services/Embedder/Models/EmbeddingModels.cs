using AspireMmRag.Embedder.Batching;
using AspireMmRag.Embedder.Inference;
using AspireMmRag.Embedder.Inference.Clip;
using AspireMmRag.Embedder.Inference.Passage;
using AspireMmRag.Embedder.Options;
using AspireMmRag.Embedder.Telemetry;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Embedder.Models;

/// <summary>
/// The models this replica serves, each behind its micro-batcher ("lanes": passage, clip-text, clip-image).
/// Models arrive from <see cref="ModelLoader"/> while the server already runs; until then calls get
/// <see cref="ModelUnavailableException"/>.
/// </summary>
public sealed class EmbeddingModels(
    IOptions<ModelsOptions> modelsOptions,
    IOptions<BatchingOptions> batchingOptions,
    EmbedderTelemetry telemetry,
    ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private PassageLane? _passage;
    private ClipLanes? _clip;
    private string _passageStatus = "loading";
    private string _clipStatus = "loading";
    private bool _clipLoading = true;
    private bool _passageLoading = true;

    public bool PassageReady => Volatile.Read(ref _passage) is not null;
    public bool ClipReady => Volatile.Read(ref _clip) is not null;
    public string PassageStatus => _passageStatus;
    public string ClipStatus => _clipStatus;

    public void SetPassage(PassageModel model)
    {
        var lane = new PassageLane(model, CreateBatcher<string>("passage", model.ExecutionProvider, model.Embed));
        telemetry.ObserveExecutionProvider(PassageModel.Name, model.ExecutionProvider);
        lock (_gate)
        {
            _passage = lane;
            _passageLoading = false;
            _passageStatus = $"{model.ModelId} ({model.Dimension}-d) on {model.ExecutionProvider}";
        }
    }

    public void SetPassageUnavailable(string reason)
    {
        lock (_gate)
        {
            _passageLoading = false;
            _passageStatus = reason;
        }
    }

    public void SetClip(ClipModel model)
    {
        var lanes = new ClipLanes(model,
            CreateBatcher<string>("clip-text", model.ExecutionProvider, model.EmbedTexts),
            CreateBatcher<float[]>("clip-image", model.ExecutionProvider, model.EmbedImages));
        telemetry.ObserveExecutionProvider(ClipModel.Name, model.ExecutionProvider);
        lock (_gate)
        {
            _clip = lanes;
            _clipLoading = false;
            _clipStatus = $"{model.ModelId} ({model.Layout} export, {model.Dimension}-d) on {model.ExecutionProvider}";
        }
    }

    public void SetClipUnavailable(string reason)
    {
        lock (_gate)
        {
            _clipLoading = false;
            _clipStatus = reason;
        }
    }

    public void SetClipLoading(string status)
    {
        lock (_gate)
        {
            _clipLoading = true;
            _clipStatus = status;
        }
    }

    /// <summary>Embeds texts with the passage model; queries get the model's query prefix, passages none.</summary>
    public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> texts, bool asQueries, CancellationToken cancellationToken)
    {
        var lane = RequirePassage();
        var prefix = modelsOptions.Value.Passage.QueryPrefix;
        var inputs = asQueries && prefix.Length > 0 ? texts.Select(text => prefix + text).ToArray() : texts;
        return lane.Batcher.EmbedAsync(inputs, cancellationToken);
    }

    public Task<float[][]> EmbedClipTextsAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        RequireClip().Texts.EmbedAsync(texts, cancellationToken);

    public Task<float[][]> EmbedClipImagesAsync(IReadOnlyList<float[]> pixelTensors, CancellationToken cancellationToken) =>
        RequireClip().Images.EmbedAsync(pixelTensors, cancellationToken);

    /// <exception cref="ModelUnavailableException">CLIP is not loaded.</exception>
    public void EnsureClipReady() => RequireClip();

    public IReadOnlyList<ModelDescription> Describe()
    {
        var passage = _passage;
        var clip = _clip;
        var options = modelsOptions.Value;
        return
        [
            passage is { Model: var p }
                ? new ModelDescription(PassageModel.Name, p.ModelId, p.Dimension, p.ExecutionProvider, p.MaxTokens, ["text"], true)
                : new ModelDescription(PassageModel.Name, options.Passage.ModelId, 0, "", options.Passage.MaxTokens, ["text"], false, _passageStatus),
            clip is { Model: var c }
                ? new ModelDescription(ClipModel.Name, c.ModelId, c.Dimension, c.ExecutionProvider, ClipModel.MaxTokens, ["text", "image"], true)
                : new ModelDescription(ClipModel.Name, options.Clip.ModelId, 0, "", ClipModel.MaxTokens, ["text", "image"], false, _clipStatus),
        ];
    }

    private PassageLane RequirePassage()
    {
        lock (_gate)
        {
            return _passage ?? throw new ModelUnavailableException(PassageModel.Name, _passageStatus, _passageLoading);
        }
    }

    private ClipLanes RequireClip()
    {
        lock (_gate)
        {
            return _clip ?? throw new ModelUnavailableException(ClipModel.Name, _clipStatus, _clipLoading);
        }
    }

    private MicroBatcher<T> CreateBatcher<T>(string lane, string provider, Func<IReadOnlyList<T>, float[][]> run) =>
        new(lane, provider, run, batchingOptions.Value, telemetry, loggerFactory.CreateLogger($"{typeof(MicroBatcher<>).Namespace}.MicroBatcher.{lane}"));

    public async ValueTask DisposeAsync()
    {
        PassageLane? passage;
        ClipLanes? clip;
        lock (_gate)
        {
            (passage, clip) = (_passage, _clip);
            (_passage, _clip) = (null, null);
        }
        if (passage is not null)
        {
            await passage.Batcher.DisposeAsync();
            passage.Model.Dispose();
        }
        if (clip is not null)
        {
            await clip.Texts.DisposeAsync();
            await clip.Images.DisposeAsync();
            clip.Model.Dispose();
        }
    }

    private sealed record PassageLane(PassageModel Model, MicroBatcher<string> Batcher);

    private sealed record ClipLanes(ClipModel Model, MicroBatcher<string> Texts, MicroBatcher<float[]> Images);
}
