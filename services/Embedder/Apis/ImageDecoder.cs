using AspireMmRag.Embedder.Inference;
using AspireMmRag.Embedder.Inference.Clip;
using AspireMmRag.Embedder.Options;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Embedder.Apis;

/// <summary>
/// Decodes and preprocesses request images with a cap on concurrent decodes, so that memory stays bounded however many
/// calls arrive at once (each decode may hold up to <see cref="RequestLimitsOptions.MaxImagePixels"/> × 4 bytes).
/// </summary>
public sealed class ImageDecoder(IOptions<RequestLimitsOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _decodes = new(Math.Max(1, options.Value.MaxConcurrentDecodes));
    private readonly ImageLimits _limits = options.Value.ImageLimits;

    public async Task<float[][]> PreprocessAsync(IReadOnlyList<ReadOnlyMemory<byte>> images, CancellationToken cancellationToken)
    {
        var tensors = new float[images.Count][];
        for (var i = 0; i < images.Count; i++)
        {
            // Cheap checks first: an oversized payload is refused without waiting for a decode slot.
            if (images[i].Length == 0)
            {
                throw new InvalidInputException($"Image {i} is empty.");
            }
            if (images[i].Length > _limits.MaxBytes)
            {
                throw new InvalidInputException($"Image {i} has {images[i].Length} bytes; at most {_limits.MaxBytes} are allowed.");
            }

            await _decodes.WaitAsync(cancellationToken);
            try
            {
                var tensor = new float[ClipImagePreprocessor.TensorLength];
                ClipImagePreprocessor.Preprocess(images[i].Span, tensor, _limits);
                tensors[i] = tensor;
            }
            catch (InvalidInputException ex)
            {
                throw new InvalidInputException($"Image {i}: {ex.Message}");
            }
            finally
            {
                _decodes.Release();
            }
        }
        return tensors;
    }

    public void Dispose() => _decodes.Dispose();
}
