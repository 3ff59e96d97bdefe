using System.Diagnostics;
using System.Text;
using AspireMmRag.Benchmarks;
using AspireMmRag.TestModels;
using SkiaSharp;

namespace AspireMmRag.Embedder.Benchmarks;

/// <summary>
/// Everything the benchmarks feed the embedder: a CLIP split folder whose vision tower is the full ViT-B/32-shaped graph
/// (random weights, real compute), synthetic photos as encoded bytes, and English-like passages. Generated with fixed seeds,
/// so every run embeds the same inputs. The folder lives in a temporary directory that <see cref="Dispose"/> deletes.
/// </summary>
public sealed class BenchAssets : IDisposable
{
    private const int ImageCount = 48;
    private const int PassageCount = 256;

    private readonly DirectoryInfo _root;

    private BenchAssets(DirectoryInfo root, string clipDirectory, IReadOnlyList<byte[]> images, IReadOnlyList<string> passages)
    {
        _root = root;
        ClipDirectory = clipDirectory;
        Images = images;
        Passages = passages;
    }

    public string ClipDirectory { get; }
    public IReadOnlyList<byte[]> Images { get; }
    public IReadOnlyList<string> Passages { get; }

    public string ImagesDescription
    {
        get
        {
            var jpeg = Images.Where(IsJpeg).ToArray();
            var png = Images.Where(image => !IsJpeg(image)).ToArray();
            return $"{Images.Count} synthetic 640x480 photos (gradients, shapes, sensor-like noise): {jpeg.Length} JPEG q85 " +
                   $"(mean {jpeg.Average(i => i.Length) / 1024:F0} KB) and {png.Length} PNG (mean {png.Average(i => i.Length) / 1024:F0} KB), cycled";
        }
    }

    public string PassagesDescription
    {
        get
        {
            var words = Passages.Select(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length).ToArray();
            return $"{Passages.Count} generated English-like passages of {words.Min()}–{words.Max()} words (mean {words.Average():F0}), cycled";
        }
    }

    public static BenchAssets Create()
    {
        var root = Directory.CreateTempSubdirectory("mmrag-embedder-bench-");
        try
        {
            var clip = Path.Combine(root.FullName, "clip-vit-b32-shaped");
            var clock = Stopwatch.StartNew();
            Console.WriteLine($"Writing the ViT-B/32-shaped CLIP folder to {clip} ...");
            ClipTestModels.WriteSplit(clip, TestAssets.ClipVocabJson); // text_model.onnx (+ a tiny vision model, replaced next)
            ClipTestModels.WriteVitB32Shaped(Path.Combine(clip, "vision_model.onnx"), layers: 12, width: 768, heads: 12, outputDimension: 512);
            File.Copy(TestAssets.ClipVocabJson, Path.Combine(clip, "vocab.json"), overwrite: true);
            File.Copy(TestAssets.ClipMerges, Path.Combine(clip, "merges.txt"), overwrite: true);
            Console.WriteLine($"  vision_model.onnx: {new FileInfo(Path.Combine(clip, "vision_model.onnx")).Length / (1024.0 * 1024):F0} MB, written in {clock.Elapsed.TotalSeconds:F1} s");

            var images = Enumerable.Range(0, ImageCount).Select(i => SyntheticPhoto(seed: 1000 + i, png: i % 4 == 3)).ToArray();
            var passages = Enumerable.Range(0, PassageCount).Select(i => Passage(seed: 2000 + i)).ToArray();
            return new BenchAssets(root, clip, images, passages);
        }
        catch
        {
            TryDelete(root);
            throw;
        }
    }

    public void Dispose() => TryDelete(_root);

    private static void TryDelete(DirectoryInfo directory)
    {
        try
        {
            directory.Refresh();
            if (directory.Exists)
            {
                directory.Delete(recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not delete {directory.FullName}: {ex.Message}");
        }
    }

    private static bool IsJpeg(byte[] image) => image is [0xFF, 0xD8, ..];

    // ---- Images -------------------------------------------------------------------------------

    /// <summary>A 640x480 "photo": sky and ground gradients, soft shapes, then per-pixel noise so it compresses like a photo.</summary>
    public static byte[] SyntheticPhoto(int seed, bool png)
    {
        const int width = 640, height = 480;
        var random = new Random(seed);
        SKColor Colour(int min = 0, int max = 256) =>
            new((byte)random.Next(min, max), (byte)random.Next(min, max), (byte)random.Next(min, max));

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            var horizon = random.Next(height / 3, 2 * height / 3);
            using (var sky = new SKPaint())
            {
                sky.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, horizon), [Colour(120), Colour(60)], SKShaderTileMode.Clamp);
                canvas.DrawRect(0, 0, width, horizon, sky);
            }
            using (var ground = new SKPaint())
            {
                ground.Shader = SKShader.CreateLinearGradient(new SKPoint(0, horizon), new SKPoint(width, height), [Colour(0, 160), Colour(0, 200)], SKShaderTileMode.Clamp);
                canvas.DrawRect(0, horizon, width, height - horizon, ground);
            }
            using var shape = new SKPaint { IsAntialias = true };
            for (var i = 0; i < 24; i++)
            {
                shape.Color = Colour().WithAlpha((byte)random.Next(90, 256));
                float x = random.Next(width), y = random.Next(height), w = random.Next(10, 200), h = random.Next(10, 200);
                switch (random.Next(3))
                {
                    case 0:
                        canvas.DrawOval(x, y, w / 2, h / 2, shape);
                        break;
                    case 1:
                        canvas.DrawRoundRect(x - w / 2, y - h / 2, w, h, 8, 8, shape);
                        break;
                    default:
                        shape.StrokeWidth = random.Next(1, 8);
                        canvas.DrawLine(x, y, x + w - 100, y + h - 100, shape);
                        break;
                }
            }
        }

        // Sensor-like noise (the colour type is RGBA, alpha stays opaque).
        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < pixels.Length; i += 4)
        {
            var noise = random.Next(-10, 11);
            pixels[i] = (byte)Math.Clamp(pixels[i] + noise + random.Next(-3, 4), 0, 255);
            pixels[i + 1] = (byte)Math.Clamp(pixels[i + 1] + noise + random.Next(-3, 4), 0, 255);
            pixels[i + 2] = (byte)Math.Clamp(pixels[i + 2] + noise + random.Next(-3, 4), 0, 255);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = png ? image.Encode(SKEncodedImageFormat.Png, 100) : image.Encode(SKEncodedImageFormat.Jpeg, 85);
        return data.ToArray();
    }

    // ---- Passages -----------------------------------------------------------------------------

    private static readonly string[][] Topics =
    [
        ["garden", "soil", "compost", "tomatoes", "seedlings", "irrigation", "mulch", "pollinators", "greenhouse", "harvest", "perennials", "nitrogen"],
        ["telescope", "galaxy", "nebula", "orbit", "spectrometer", "exoplanet", "observatory", "eclipse", "wavelength", "asteroid", "comet", "luminosity"],
        ["database", "index", "latency", "replication", "transaction", "cache", "scheduler", "throughput", "container", "deployment", "compiler", "kernel"],
        ["parliament", "treaty", "empire", "archives", "manuscript", "dynasty", "revolution", "merchants", "harbour", "cathedral", "census", "charter"],
        ["recipe", "dough", "saffron", "fermentation", "skillet", "broth", "caramelization", "vinegar", "oven", "marinade", "pastry", "spices"],
        ["portfolio", "inflation", "dividend", "mortgage", "liquidity", "bond", "valuation", "currency", "auditor", "revenue", "equity", "tariff"],
        ["glacier", "watershed", "sediment", "erosion", "wetlands", "aquifer", "rainfall", "permafrost", "estuary", "drought", "reservoir", "tributary"],
    ];

    /// <summary>60–120 words of English-like prose on one topic, with the odd number, comma and rarer word.</summary>
    public static string Passage(int seed)
    {
        var random = new Random(seed);
        var topic = Topics[random.Next(Topics.Length)];
        var target = random.Next(60, 121);
        return EnglishProse.Sentences(random, topic, target, commas: true);
    }
}
