using AspireMmRag.Embedder.ModelDownload;
using AspireMmRag.Embedder.Options;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Embedder.Models;

/// <summary>
/// Checks the CLIP folder for a loadable export and tokenizer; when something is missing and
/// <see cref="ModelsOptions.AutoDownload"/> is on, fetches the files named in <c>models.json</c> (the manifest the
/// download scripts use) within <see cref="ModelsOptions.DownloadTimeout"/>. Network failures end in "not ready", never in a crash.
/// </summary>
public sealed class ClipModelProvisioner(ModelDownloader downloader, IOptions<ModelsOptions> options) : IClipModelProvisioner
{
    public const string ManifestId = "clip";

    public async Task<ProvisionResult> EnsureAsync(string directory, Action<string> reportStatus, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (Missing(directory, settings.Clip) is not { } missing)
        {
            return new ProvisionResult(true);
        }
        if (!settings.AutoDownload)
        {
            return new ProvisionResult(false, $"missing {missing}; Models:AutoDownload is off");
        }

        var manifestPath = Path.Combine(AppContext.BaseDirectory, settings.ManifestPath);
        ModelManifestEntry entry;
        try
        {
            entry = ModelManifest.Load(manifestPath).Get(ManifestId);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or KeyNotFoundException or UnauthorizedAccessException)
        {
            return new ProvisionResult(false, $"missing {missing}, and the model manifest cannot be read: {ex.Message}");
        }

        reportStatus($"downloading {entry.Repo} from {settings.HubEndpoint} into '{directory}'");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.DownloadTimeout);
        try
        {
            Directory.CreateDirectory(directory);
            await downloader.EnsureAsync(entry, directory, settings.HubEndpoint, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProvisionResult(false, $"the download did not finish within {settings.DownloadTimeout}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ProvisionResult(false, $"missing {missing}; the download failed: {ex.Message}");
        }

        return Missing(directory, settings.Clip) is { } stillMissing
            ? new ProvisionResult(false, $"missing {stillMissing} after trying to download it from {settings.HubEndpoint}")
            : new ProvisionResult(true);
    }

    /// <summary>What the folder lacks for a loadable CLIP model, or null when nothing.</summary>
    public static string? Missing(string directory, ClipModelOptions clip)
    {
        bool Has(string name) => File.Exists(Path.Combine(directory, name));
        var hasGraph = (Has(clip.TextModelFile) && Has(clip.VisionModelFile)) || Has(clip.CombinedModelFile);
        var hasTokenizer = (Has("vocab.json") && Has("merges.txt")) || Has("bpe_simple_vocab_16e6.txt.gz");
        return (hasGraph, hasTokenizer) switch
        {
            (true, true) => null,
            (false, true) => $"the ONNX graphs ({clip.TextModelFile} + {clip.VisionModelFile}, or {clip.CombinedModelFile})",
            (true, false) => "the tokenizer files (vocab.json + merges.txt)",
            _ => $"the ONNX graphs and the tokenizer files",
        };
    }
}
