using AspireMmRag.Media;
using Microsoft.Extensions.Caching.Memory;
using SkiaSharp;

namespace AspireMmRag.Gateway.Images;

/// <summary>Resized copies of stored images (thumbnails), kept in a size-bounded memory cache. The copy keeps the aspect
/// ratio, is never larger than the original, and is encoded in the original's format (WebP stays WebP, PNG stays PNG,
/// anything else becomes JPEG).</summary>
public sealed class ImageResizer(IMemoryCache cache)
{
    public const int MinWidth = 32;
    public const int MaxWidth = 1024;

    public (byte[] Bytes, string MimeType) Resize(string mediaRef, byte[] original, string mimeType, int width)
    {
        var key = (nameof(ImageResizer), mediaRef, width);
        if (cache.TryGetValue(key, out (byte[] Bytes, string MimeType) cached))
        {
            return cached;
        }
        var resized = ResizeUncached(original, mimeType, width);
        cache.Set(key, resized, new MemoryCacheEntryOptions { Size = resized.Bytes.Length, SlidingExpiration = TimeSpan.FromHours(1) });
        return resized;
    }

    private static (byte[] Bytes, string MimeType) ResizeUncached(byte[] original, string mimeType, int width)
    {
        using var source = SKBitmap.Decode(original) ?? throw new InvalidDataException("The stored image cannot be decoded.");
        if (width >= source.Width)
        {
            return (original, mimeType);
        }
        var height = Math.Max(1, (int)Math.Round(source.Height * (double)width / source.Width));
        using var target = source.Resize(new SKImageInfo(width, height, source.ColorType, source.AlphaType),
            new SKSamplingOptions(SKCubicResampler.Mitchell)) ?? throw new InvalidDataException("The stored image cannot be resized.");
        using var image = SKImage.FromBitmap(target);
        var (format, type, quality) = mimeType switch
        {
            "image/png" => (SKEncodedImageFormat.Png, "image/png", 100),
            "image/webp" => (SKEncodedImageFormat.Webp, "image/webp", 85),
            _ => (SKEncodedImageFormat.Jpeg, "image/jpeg", 85),
        };
        using var data = image.Encode(format, quality);
        return (data.ToArray(), type);
    }

    /// <summary>The content type of stored bytes, from their first bytes.</summary>
    public static string MimeTypeOf(ReadOnlySpan<byte> bytes) => ImageFormat.Detect(bytes)?.MimeType ?? "application/octet-stream";
}
