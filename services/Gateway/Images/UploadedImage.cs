using AspireMmRag.Media;
using SkiaSharp;

namespace AspireMmRag.Gateway.Images;

/// <summary>Checks that uploaded bytes are an image the embedder can read, before anything is sent to it: a known format
/// (JPEG, PNG, WebP) by its first bytes, a header SkiaSharp can open, a size within limits, and pixels that decode.</summary>
public static class UploadedImage
{
    public const long MaxPixels = 40_000_000;

    /// <summary>Null when the bytes are a decodable image; otherwise why not.</summary>
    public static string? Problem(ReadOnlySpan<byte> bytes)
    {
        if (ImageFormat.Detect(bytes) is null)
        {
            return "The file is not a JPEG, PNG or WebP image.";
        }
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            return "The image header cannot be read.";
        }
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > MaxPixels)
        {
            return $"The image is {info.Width}x{info.Height} pixels; at most {MaxPixels / 1_000_000} megapixels are accepted.";
        }
        using var bitmap = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        return result is SKCodecResult.Success ? null : $"The image cannot be decoded ({result}).";
    }
}
