using AspireMmRag.Embedder.Inference;
using AspireMmRag.Embedder.Inference.Clip;
using AspireMmRag.Embedder.Inference.Passage;
using AspireMmRag.Embedder.Options;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Embedder.Models;

/// <summary>
/// Loads the models in the background so the server answers (health, describe) while they load:
/// the passage model first (it ships with the build), then CLIP — fetched first when it is missing and
/// <see cref="ModelsOptions.AutoDownload"/> is on. Without CLIP the embedder keeps serving passages and says why
/// image embeddings are unavailable; it never fakes vectors.
/// </summary>
public sealed partial class ModelLoader(
    EmbeddingModels models,
    OnnxSessionFactory sessions,
    IClipModelProvisioner provisioner,
    IOptions<ModelsOptions> options,
    IConfiguration configuration,
    ILogger<ModelLoader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // ONNX session creation is synchronous and CPU-heavy; keep it off the start-up path.
        await Task.Yield();
        LoadPassage();
        await LoadClipAsync(stoppingToken);
    }

    private void LoadPassage()
    {
        var directory = ModelPaths.PassageDirectory(options.Value, configuration);
        try
        {
            var model = PassageModel.Load(directory, options.Value.Passage, sessions);
            models.SetPassage(model);
            LogLoaded(logger, PassageModel.Name, model.ModelId, model.Dimension, model.ExecutionProvider, directory);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            models.SetPassageUnavailable($"failed to load from '{directory}': {ex.Message}");
            LogPassageFailed(logger, ex, directory);
        }
    }

    private async Task LoadClipAsync(CancellationToken stoppingToken)
    {
        var directory = ModelPaths.ClipDirectory(options.Value, configuration);
        try
        {
            var provisioned = await provisioner.EnsureAsync(directory, status => models.SetClipLoading(status), stoppingToken);
            if (!provisioned.Ready)
            {
                var reason = $"no CLIP model in '{directory}' ({provisioned.Reason}). Image embeddings are unavailable; " +
                             "run models/download-models.sh (or .ps1) on a machine with internet access, or point Models:Clip:Directory at the files.";
                models.SetClipUnavailable(reason);
                LogClipUnavailable(logger, reason);
                return;
            }

            var model = await Task.Run(() => ClipModel.Load(directory, options.Value.Clip, sessions), stoppingToken);
            models.SetClip(model);
            LogLoaded(logger, ClipModel.Name, model.ModelId, model.Dimension, model.ExecutionProvider, directory);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            var reason = $"the CLIP model in '{directory}' failed to load: {ex.Message}. Image embeddings are unavailable.";
            models.SetClipUnavailable(reason);
            LogClipFailed(logger, ex, directory);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded the {Name} model {ModelId} ({Dimension}-d) on {Provider} from {Directory}")]
    private static partial void LogLoaded(ILogger logger, string name, string modelId, int dimension, string provider, string directory);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The passage model failed to load from {Directory}; text embeddings are unavailable")]
    private static partial void LogPassageFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CLIP model not loaded: {Reason}")]
    private static partial void LogClipUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The CLIP model in {Directory} failed to load; image embeddings are unavailable")]
    private static partial void LogClipFailed(ILogger logger, Exception exception, string directory);
}
