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
        var lane = new PassageLane(model, CreateBatcher<string, ItemEmbedding>("passage", model.ExecutionProvider, model.EmbedReportingTruncation));
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
            CreateBatcher<string, float[]>("clip-text", model.ExecutionProvider, model.EmbedTexts),
            CreateBatcher<float[], float[]>("clip-image", model.ExecutionProvider, model.EmbedImages),
            new ByteBudget("clip-image", batchingOptions.Value.MaxQueuedImageBytes));
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

    /// <summary>Embeds texts with the passage model; queries get the model's query prefix, passages none. Texts cut to the
    /// model's token limit are flagged and counted (<see cref="EmbedderTelemetry.Truncated"/>).</summary>
    public async Task<ItemEmbedding[]> EmbedPassagesAsync(IReadOnlyList<string> texts, bool asQueries, CancellationToken cancellationToken)
    {
        var lane = RequirePassage();
        var prefix = modelsOptions.Value.Passage.QueryPrefix;
        var inputs = asQueries && prefix.Length > 0 ? texts.Select(text => prefix + text).ToArray() : texts;
        var embeddings = await lane.Batcher.EmbedAsync(inputs, cancellationToken).ConfigureAwait(false);
        var truncated = embeddings.Count(embedding => embedding.Truncated);
        if (truncated > 0)
        {
            telemetry.Truncated.Add(truncated, new KeyValuePair<string, object?>("model", PassageModel.Name));
        }
        return embeddings;
    }

    /// <summary>Reserves the image lane's memory for <paramref name="images"/> decoded tensors, before any is decoded;
    /// dispose it when the call ends.</summary>
    /// <exception cref="QueueFullException">The image lane's byte budget (<see cref="BatchingOptions.MaxQueuedImageBytes"/>) cannot take them now.</exception>
    /// <exception cref="ModelUnavailableException">CLIP is not loaded.</exception>
    public ByteBudget.Reservation ReserveClipImages(int images) =>
        RequireClip().ImageBytes.Reserve((long)images * ClipImagePreprocessor.TensorLength * sizeof(float));

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

    private MicroBatcher<TInput, TOutput> CreateBatcher<TInput, TOutput>(string lane, string provider, Func<IReadOnlyList<TInput>, TOutput[]> run) =>
        new(lane, provider, run, batchingOptions.Value, telemetry, loggerFactory.CreateLogger($"{typeof(MicroBatcher<,>).Namespace}.MicroBatcher.{lane}"));

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

    private sealed record PassageLane(PassageModel Model, MicroBatcher<string, ItemEmbedding> Batcher);

    private sealed record ClipLanes(ClipModel Model, MicroBatcher<string, float[]> Texts, MicroBatcher<float[], float[]> Images, ByteBudget ImageBytes);
}
