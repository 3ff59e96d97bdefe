using SkiaSharp;

namespace AspireMmRag.TestModels;

/// <summary>Encoded images made on the fly for the tests.</summary>
public static class TestImages
{
    public static byte[] SolidPng(byte r, byte g, byte b, int width = 256, int height = 256)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        bitmap.Erase(new SKColor(r, g, b));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static byte[] SolidJpeg(byte r, byte g, byte b, int width = 320, int height = 240)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        bitmap.Erase(new SKColor(r, g, b));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 95);
        return data.ToArray();
    }

    public static readonly IReadOnlyDictionary<string, (byte R, byte G, byte B)> Colours = new Dictionary<string, (byte, byte, byte)>
    {
        ["red"] = (255, 0, 0),
        ["green"] = (0, 255, 0),
        ["blue"] = (0, 0, 255),
        ["yellow"] = (255, 255, 0),
    };
}
