namespace AspireMmRag.Embedder.Models;

/// <summary>Makes sure the CLIP files are in a folder (downloading them when allowed) before the model loads.</summary>
public interface IClipModelProvisioner
{
    Task<ProvisionResult> EnsureAsync(string directory, Action<string> reportStatus, CancellationToken cancellationToken);
}

/// <param name="Ready">The folder holds a loadable export and tokenizer files.</param>
/// <param name="Reason">Why not, in words for a log line and the health report.</param>
public sealed record ProvisionResult(bool Ready, string Reason = "");
