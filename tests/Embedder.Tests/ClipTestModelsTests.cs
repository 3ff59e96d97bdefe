using System.Text.Json;
using AspireMmRag.TestModels;
using Microsoft.ML.OnnxRuntime;

namespace AspireMmRag.Embedder.Tests;

/// <summary>Writes the CLIP-shaped test models once (D = 512, like ViT-B/32) into a temp directory.</summary>
public sealed class ClipTestModelsFixture : IDisposable
{
    public const int ContextLength = 77;

    public ClipTestModelsFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "clip-test-models-" + Guid.NewGuid().ToString("N"));
        SplitDirectory = Path.Combine(Directory, "split");
        CombinedDirectory = Path.Combine(Directory, "combined");
        ClipTestModels.WriteSplit(SplitDirectory, TestAssets.ClipVocabJson);
        ClipTestModels.WriteCombined(CombinedDirectory, TestAssets.ClipVocabJson);
        using var stream = File.OpenRead(TestAssets.ClipVocabJson);
        Vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(stream)!;
    }

    public string Directory { get; }
    public string SplitDirectory { get; }
    public string CombinedDirectory { get; }
    public IReadOnlyDictionary<string, int> Vocab { get; }

    /// <summary>"a {colour} square" framed with start/end of text and padded to 77.</summary>
    public long[] Tokenize(string colour, long pad = 0)
    {
        long[] ids = [ClipTestModels.StartOfText, Vocab["a</w>"], Vocab[colour + "</w>"], Vocab["square</w>"], ClipTestModels.EndOfText];
        return [.. ids, .. Enumerable.Repeat(pad, ContextLength - ids.Length)];
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is not a test failure.
        }
    }
}

public sealed class ClipTestModelsTests(ClipTestModelsFixture fixture) : IClassFixture<ClipTestModelsFixture>
{
    private const int D = ClipTestModels.DefaultDimension;
    private static readonly (float R, float G, float B)[] PureColours = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0)];

    [Fact]
    public void SplitModels_HaveTheXenovaInterface()
    {
        using var text = new InferenceSession(Path.Combine(fixture.SplitDirectory, "text_model.onnx"));
        AssertTensor(Assert.Single(text.InputMetadata), "input_ids", typeof(long), -1, -1);
        AssertTensor(Assert.Single(text.OutputMetadata), "text_embeds", typeof(float), -1, D);

        using var vision = new InferenceSession(Path.Combine(fixture.SplitDirectory, "vision_model.onnx"));
        AssertTensor(Assert.Single(vision.InputMetadata), "pixel_values", typeof(float), -1, 3, 224, 224);
        AssertTensor(Assert.Single(vision.OutputMetadata), "image_embeds", typeof(float), -1, D);
    }

    [Fact]
    public void CombinedModel_HasTheXenovaInterface()
    {
        using var session = new InferenceSession(Path.Combine(fixture.CombinedDirectory, "model.onnx"));
        Assert.Equal(["input_ids", "pixel_values", "attention_mask"], session.InputMetadata.Keys);
        AssertTensor(Entry(session.InputMetadata, "input_ids"), "input_ids", typeof(long), -1, -1);
        AssertTensor(Entry(session.InputMetadata, "attention_mask"), "attention_mask", typeof(long), -1, -1);
        AssertTensor(Entry(session.InputMetadata, "pixel_values"), "pixel_values", typeof(float), -1, 3, 224, 224);

        Assert.Equal(["logits_per_image", "logits_per_text", "text_embeds", "image_embeds"], session.OutputMetadata.Keys);
        AssertTensor(Entry(session.OutputMetadata, "logits_per_image"), "logits_per_image", typeof(float), -1, -1);
        AssertTensor(Entry(session.OutputMetadata, "logits_per_text"), "logits_per_text", typeof(float), -1, -1);
        AssertTensor(Entry(session.OutputMetadata, "text_embeds"), "text_embeds", typeof(float), -1, D);
        AssertTensor(Entry(session.OutputMetadata, "image_embeds"), "image_embeds", typeof(float), -1, D);
        Assert.Equal(["image_batch_size", "text_batch_size"], session.OutputMetadata["logits_per_image"].SymbolicDimensions);
    }

    [Fact]
    public void CombinedModel_NeedsEveryInput_LikeTheRealExport()
    {
        using var session = new InferenceSession(Path.Combine(fixture.CombinedDirectory, "model.onnx"));
        var ids = fixture.Tokenize("red");
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(Mask(ids), [1, ids.Length]);
        var inputs = new Dictionary<string, OrtValue> { ["input_ids"] = idsValue, ["attention_mask"] = maskValue };
        using var runOptions = new RunOptions();
        var error = Assert.ThrowsAny<OnnxRuntimeException>(() => session.Run(runOptions, inputs, ["text_embeds"]).Dispose());
        Assert.Contains("Missing Input: pixel_values", error.Message);
    }

    [Fact]
    public void CombinedOutputs_AreUnitNorm_SplitOutputsAreNot_ButPointTheSameWay()
    {
        var texts = ClipTestModels.Colours.Select(c => fixture.Tokenize(c)).ToArray();
        var images = PureColours.Select(c => ClipTestModels.SolidColourPixels(c.R, c.G, c.B)).ToArray();

        var combined = RunCombined(texts, images);
        var splitText = RunSplitText(texts);
        var splitImages = RunSplitVision(images);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(1.0, Norm(combined.Text[i]), 4);
            Assert.Equal(1.0, Norm(combined.Images[i]), 4);
            Assert.True(Math.Abs(Norm(splitText[i]) - 1) > 0.5, $"split text_embeds norm {Norm(splitText[i])}");
            Assert.True(Math.Abs(Norm(splitImages[i]) - 1) > 0.5, $"split image_embeds norm {Norm(splitImages[i])}");
            Assert.True(Cosine(splitText[i], combined.Text[i]) > 0.9999);
            Assert.True(Cosine(splitImages[i], combined.Images[i]) > 0.9999);
        }

        // logits_per_text = exp(logit_scale) * text . image with logit_scale 4.6052 (~100); logits_per_image is its transpose.
        var logitScale = Math.Exp(4.6052);
        Assert.Equal(100, logitScale, 0.01);
        for (var t = 0; t < 4; t++)
        {
            for (var i = 0; i < 4; i++)
            {
                var expected = logitScale * Dot(combined.Text[t], combined.Images[i]);
                Assert.Equal(expected, combined.LogitsPerText[t][i], 1e-3);
                Assert.Equal(expected, combined.LogitsPerImage[i][t], 1e-3);
            }
        }
    }

    [Fact]
    public void EachColourText_IsNearestItsOwnSolidImage_ByAClearMargin()
    {
        var texts = ClipTestModels.Colours.Select(c => fixture.Tokenize(c)).ToArray();
        var images = PureColours.Select(c => ClipTestModels.SolidColourPixels(c.R, c.G, c.B)).ToArray();

        var combined = RunCombined(texts, images);
        (float[][] Text, float[][] Images)[] layouts = [(RunSplitText(texts), RunSplitVision(images)), (combined.Text, combined.Images)];
        foreach (var (textEmbeds, imageEmbeds) in layouts)
        {
            for (var t = 0; t < 4; t++)
            {
                var own = Cosine(textEmbeds[t], imageEmbeds[t]);
                for (var i = 0; i < 4; i++)
                {
                    if (i != t)
                    {
                        var other = Cosine(textEmbeds[t], imageEmbeds[i]);
                        Assert.True(own - other > 0.3,
                            $"'{ClipTestModels.Colours[t]}' text: own image {own:F3}, {ClipTestModels.Colours[i]} image {other:F3}");
                    }
                }
            }
        }
    }

    [Fact]
    public void HalfRedHalfBlueImage_SitsBetweenRedAndBlue()
    {
        var red = ClipTestModels.SolidColourPixels(1, 0, 0);
        var blue = ClipTestModels.SolidColourPixels(0, 0, 1);
        var half = new float[red.Length];
        for (var p = 0; p < half.Length; p++)
        {
            half[p] = p % 224 < 112 ? red[p] : blue[p]; // left half red, right half blue
        }

        var images = RunSplitVision([red, blue, half]);
        var texts = RunSplitText([fixture.Tokenize("red"), fixture.Tokenize("blue")]);
        for (var t = 0; t < 2; t++)
        {
            var mixed = Cosine(texts[t], images[2]);
            var low = Math.Min(Cosine(texts[t], images[0]), Cosine(texts[t], images[1]));
            var high = Math.Max(Cosine(texts[t], images[0]), Cosine(texts[t], images[1]));
            Assert.True(mixed > low + 0.2 && mixed < high - 0.2, $"mixed {mixed:F3} not between {low:F3} and {high:F3}");
        }
    }

    [Fact]
    public void PaddingWithZeroOrEndOfText_GivesTheSameTextEmbeds()
    {
        var zeroPadded = fixture.Tokenize("yellow", pad: 0);
        var eotPadded = fixture.Tokenize("yellow", pad: ClipTestModels.EndOfText);

        var split = RunSplitText([zeroPadded, eotPadded]);
        Assert.Equal(split[0], split[1]);

        var image = ClipTestModels.SolidColourPixels(1, 1, 0);
        Assert.Equal(RunCombined([zeroPadded], [image]).Text[0], RunCombined([eotPadded], [image]).Text[0]);
    }

    [Fact]
    public void SmallVitB32ShapedModel_RunsABatchOfTwo()
    {
        var path = Path.Combine(fixture.Directory, "vit", "vision_model.onnx");
        ClipTestModels.WriteVitB32Shaped(path, layers: 2, width: 64, heads: 4);

        using var session = new InferenceSession(path);
        AssertTensor(Assert.Single(session.InputMetadata), "pixel_values", typeof(float), -1, 3, 224, 224);
        AssertTensor(Assert.Single(session.OutputMetadata), "image_embeds", typeof(float), -1, 512);

        var pixels = RunOne(session, "pixel_values",
            [.. ClipTestModels.SolidColourPixels(1, 0, 0), .. ClipTestModels.SolidColourPixels(0.2f, 0.5f, 0.9f)],
            [2, 3, 224, 224], "image_embeds", out var shape);
        Assert.Equal([2L, 512L], shape);
        Assert.All(pixels, v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(pixels.AsSpan(0, 512).ToArray(), pixels.AsSpan(512, 512).ToArray());
    }

    // ---- helpers ----------------------------------------------------------------------------

    private float[][] RunSplitText(long[][] ids)
    {
        using var session = new InferenceSession(Path.Combine(fixture.SplitDirectory, "text_model.onnx"));
        var flat = RunOne(session, "input_ids", ids.SelectMany(x => x).ToArray(), [ids.Length, ids[0].Length], "text_embeds", out var shape);
        Assert.Equal([(long)ids.Length, D], shape);
        return Rows(flat, ids.Length);
    }

    private float[][] RunSplitVision(float[][] images)
    {
        using var session = new InferenceSession(Path.Combine(fixture.SplitDirectory, "vision_model.onnx"));
        var flat = RunOne(session, "pixel_values", images.SelectMany(x => x).ToArray(), [images.Length, 3, 224, 224], "image_embeds", out var shape);
        Assert.Equal([(long)images.Length, D], shape);
        return Rows(flat, images.Length);
    }

    private (float[][] Text, float[][] Images, float[][] LogitsPerText, float[][] LogitsPerImage) RunCombined(long[][] ids, float[][] images)
    {
        using var session = new InferenceSession(Path.Combine(fixture.CombinedDirectory, "model.onnx"));
        var flatIds = ids.SelectMany(x => x).ToArray();
        using var idsValue = OrtValue.CreateTensorValueFromMemory(flatIds, [ids.Length, ids[0].Length]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(Mask(flatIds), [ids.Length, ids[0].Length]);
        using var pixelValue = OrtValue.CreateTensorValueFromMemory(images.SelectMany(x => x).ToArray(), [images.Length, 3, 224, 224]);
        var inputs = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = idsValue,
            ["attention_mask"] = maskValue,
            ["pixel_values"] = pixelValue,
        };
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputs, ["text_embeds", "image_embeds", "logits_per_text", "logits_per_image"]);
        Assert.Equal([(long)ids.Length, D], outputs[0].GetTensorTypeAndShape().Shape);
        Assert.Equal([(long)images.Length, D], outputs[1].GetTensorTypeAndShape().Shape);
        Assert.Equal([(long)ids.Length, images.Length], outputs[2].GetTensorTypeAndShape().Shape);
        Assert.Equal([(long)images.Length, ids.Length], outputs[3].GetTensorTypeAndShape().Shape);
        return (Rows(outputs[0].GetTensorDataAsSpan<float>().ToArray(), ids.Length),
                Rows(outputs[1].GetTensorDataAsSpan<float>().ToArray(), images.Length),
                Rows(outputs[2].GetTensorDataAsSpan<float>().ToArray(), ids.Length),
                Rows(outputs[3].GetTensorDataAsSpan<float>().ToArray(), images.Length));
    }

    private static float[] RunOne<T>(InferenceSession session, string input, T[] data, long[] shape, string output, out long[] outputShape)
        where T : unmanaged
    {
        using var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new Dictionary<string, OrtValue> { [input] = value }, [output]);
        outputShape = outputs[0].GetTensorTypeAndShape().Shape;
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>The HF tokenizer's attention mask: 1 up to and including the first end-of-text, 0 on padding.</summary>
    private static long[] Mask(long[] flatIds)
    {
        var mask = new long[flatIds.Length];
        for (var row = 0; row < flatIds.Length; row += ClipTestModelsFixture.ContextLength)
        {
            for (var i = row; i < row + ClipTestModelsFixture.ContextLength; i++)
            {
                mask[i] = 1;
                if (flatIds[i] == ClipTestModels.EndOfText)
                {
                    break;
                }
            }
        }
        return mask;
    }

    private static NodeMetadata Entry(IReadOnlyDictionary<string, NodeMetadata> metadata, string name) =>
        Assert.Contains(name, metadata);

    private static void AssertTensor(KeyValuePair<string, NodeMetadata> entry, string name, Type elementType, params int[] dims)
    {
        Assert.Equal(name, entry.Key);
        AssertTensor(entry.Value, name, elementType, dims);
    }

    private static void AssertTensor(NodeMetadata metadata, string name, Type elementType, params int[] dims)
    {
        Assert.True(metadata.IsTensor, $"{name} is not a tensor");
        Assert.Equal(elementType, metadata.ElementType);
        Assert.Equal(dims, metadata.Dimensions);
        for (var i = 0; i < dims.Length; i++)
        {
            // Dynamic dims are named (DimParam), fixed ones are not.
            Assert.Equal(dims[i] == -1, !string.IsNullOrEmpty(metadata.SymbolicDimensions[i]));
        }
    }

    private static float[][] Rows(float[] flat, int rows) =>
        [.. Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * (flat.Length / rows), flat.Length / rows).ToArray())];

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }
        return sum;
    }

    private static double Norm(float[] a) => Math.Sqrt(Dot(a, a));

    private static double Cosine(float[] a, float[] b) => Dot(a, b) / (Norm(a) * Norm(b));
}
