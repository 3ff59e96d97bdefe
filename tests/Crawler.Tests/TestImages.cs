using SkiaSharp;

namespace AspireMmRag.Crawler.Tests;

/// <summary>Real encoded images, made with SkiaSharp, for the fake image host and the folder fixtures.</summary>
public static class TestImages
{
    public static byte[] Png(int width, int height, SKColor colour) => Encode(width, height, colour, SKEncodedImageFormat.Png);

    public static byte[] Jpeg(int width, int height, SKColor colour) => Encode(width, height, colour, SKEncodedImageFormat.Jpeg);

    public static byte[] WebP(int width, int height, SKColor colour) => Encode(width, height, colour, SKEncodedImageFormat.Webp);

    private static byte[] Encode(int width, int height, SKColor colour, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        bitmap.Erase(colour);
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = true })
        {
            canvas.DrawCircle(width / 2f, height / 2f, Math.Min(width, height) / 4f, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }
}
