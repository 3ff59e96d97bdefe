using System.Diagnostics;
using System.Text;
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

    private static readonly string[] Adjectives =
    [
        "small", "careful", "detailed", "early", "remarkable", "local", "significant", "unusual", "reliable", "modern", "ancient",
        "complex", "gradual", "seasonal", "independent", "expensive", "practical", "northern", "experimental", "annual", "fragile",
    ];

    private static readonly string[] Verbs =
    [
        "describes", "improves", "requires", "reduces", "measures", "supports", "explains", "changes", "protects", "reveals",
        "combines", "affects", "replaces", "records", "estimates", "follows", "connects", "predicts", "limits", "produces",
    ];

    private static readonly string[] Connectives =
    [
        "However,", "In practice,", "For example,", "As a result,", "According to the report,", "During the following years,",
        "In most cases,", "Surprisingly,", "At the same time,", "Over the last decade,",
    ];

    private static readonly string[] Fillers =
    [
        "the", "a", "of", "and", "in", "with", "for", "on", "by", "its", "their", "this", "each", "several", "many", "most",
        "between", "after", "before", "through", "without", "because", "while", "although", "which", "that",
    ];

    /// <summary>60–120 words of English-like prose on one topic, with the odd number, comma and rarer word.</summary>
    public static string Passage(int seed)
    {
        var random = new Random(seed);
        var topic = Topics[random.Next(Topics.Length)];
        var target = random.Next(60, 121);
        var text = new StringBuilder();
        var words = 0;
        while (words < target)
        {
            var sentence = new List<string>();
            if (random.Next(3) == 0)
            {
                sentence.AddRange(Connectives[random.Next(Connectives.Length)].Split(' '));
            }
            sentence.Add("the");
            sentence.Add(Adjectives[random.Next(Adjectives.Length)]);
            sentence.Add(topic[random.Next(topic.Length)]);
            sentence.Add(Verbs[random.Next(Verbs.Length)]);
            var length = random.Next(6, 16);
            while (sentence.Count < length)
            {
                sentence.Add(random.Next(10) switch
                {
                    < 4 => Fillers[random.Next(Fillers.Length)],
                    < 6 => topic[random.Next(topic.Length)],
                    < 8 => Adjectives[random.Next(Adjectives.Length)],
                    8 => random.Next(2) == 0 ? random.Next(1850, 2025).ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{random.Next(2, 99)}%",
                    _ => Verbs[random.Next(Verbs.Length)],
                });
            }
            sentence = [.. sentence.Take(Math.Max(3, Math.Min(sentence.Count, target - words)))];
            if (sentence.Count > 7 && random.Next(2) == 0)
            {
                sentence[sentence.Count / 2] += ",";
            }
            var line = string.Join(' ', sentence);
            text.Append(char.ToUpperInvariant(line[0])).Append(line.AsSpan(1)).Append(". ");
            words += sentence.Count;
        }
        return text.ToString().TrimEnd();
    }
}
