using SkiaSharp;

namespace AspireMmRag.Embedder.Inference.Clip;

/// <summary>Limits applied to an encoded image before and during decoding.</summary>
/// <param name="MaxBytes">Largest accepted encoded size, checked before any decoding.</param>
/// <param name="MaxPixels">Largest accepted width × height, read from the header before any pixel memory is allocated.</param>
public sealed record ImageLimits(long MaxBytes = 20_000_000, long MaxPixels = 40_000_000);

/// <summary>
/// CLIP image preprocessing (openai/CLIP <c>_transform</c>, HF <c>CLIPImageProcessor</c>) on SkiaSharp:
/// decode → RGB (alpha flattened onto white) → EXIF orientation → shortest side resized to 224 (bicubic, Catmull-Rom)
/// → 224×224 center crop → [0,1] → (x − mean) / std → CHW planes R, G, B.
/// </summary>
/// <remarks>
/// Stateless and thread-safe. Every native object is disposed before returning.
/// Colour values are used as encoded (no ICC conversion), as PIL does in the reference pipeline.
/// </remarks>
public static class ClipImagePreprocessor
{
    public const int Size = 224;
    public const int TensorLength = 3 * Size * Size;

    /// <summary>CLIP per-channel mean (R, G, B).</summary>
    public static ReadOnlySpan<float> Mean => [0.48145466f, 0.4578275f, 0.40821073f];

    /// <summary>CLIP per-channel standard deviation (R, G, B).</summary>
    public static ReadOnlySpan<float> Std => [0.26862954f, 0.26130258f, 0.27577711f];

    private static readonly SKSamplingOptions Bicubic = new(SKCubicResampler.CatmullRom);
    private static readonly SKSamplingOptions Bilinear = new(SKFilterMode.Linear, SKMipmapMode.None);

    /// <summary>
    /// Decodes <paramref name="encoded"/> and writes the normalized CHW tensor (R, G, B planes of 224×224) into
    /// <paramref name="destination"/>, whose length must be <see cref="TensorLength"/>.
    /// </summary>
    /// <exception cref="InvalidInputException">The bytes are empty, too large, not a supported image, truncated or corrupt,
    /// or the image has zero size or too many pixels.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    public static void Preprocess(ReadOnlySpan<byte> encoded, Span<float> destination, ImageLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.MaxBytes, nameof(limits) + "." + nameof(limits.MaxBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.MaxPixels, nameof(limits) + "." + nameof(limits.MaxPixels));
        if (destination.Length != TensorLength)
        {
            throw new ArgumentException(
                $"Destination must hold exactly {TensorLength} floats (3x{Size}x{Size}); it holds {destination.Length}.",
                nameof(destination));
        }

        if (encoded.IsEmpty)
        {
            throw new InvalidInputException("Image is empty (0 bytes).");
        }
        if (encoded.Length > limits.MaxBytes)
        {
            throw new InvalidInputException(
                $"Image is {encoded.Length} bytes, which exceeds the limit of {limits.MaxBytes} bytes.");
        }

        using var data = SKData.CreateCopy(encoded);
        using var stream = new SKMemoryStream(data);
        // The codec takes ownership of the stream (SkiaSharp revokes the managed ownership); disposing `stream` afterwards is a no-op.
        using var codec = SKCodec.Create(stream, out var createResult)
            ?? throw new InvalidInputException(createResult switch
            {
                SKCodecResult.IncompleteInput =>
                    "Image data is truncated or not an image: the header is incomplete (supported formats: PNG, JPEG, WebP, GIF, BMP).",
                SKCodecResult.Unimplemented =>
                    "Image data is not in a supported image format (PNG, JPEG, WebP, GIF or BMP expected).",
                _ => $"Image data could not be decoded: the header is invalid or corrupt ({createResult}).",
            });

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new InvalidInputException($"Image has zero size ({info.Width}x{info.Height}).");
        }
        long pixels = (long)info.Width * info.Height;
        if (pixels > limits.MaxPixels)
        {
            throw new InvalidInputException(
                $"Image is {info.Width}x{info.Height} ({pixels} pixels), which exceeds the limit of {limits.MaxPixels} pixels.");
        }

        var origin = codec.EncodedOrigin;
        using var decoded = Decode(codec, ChooseDecodeSize(codec, info.Width, info.Height));
        var source = decoded;
        SKBitmap? reduced = null;
        try
        {
            // Skia's cubic filter has a fixed 4x4 footprint, so large reductions alias; PIL's bicubic widens its kernel instead.
            // Exact 2x box reductions first bring the remaining bicubic step to a factor below 2.
            while (Math.Min(source.Width, source.Height) >= 2 * Size)
            {
                var half = Halve(source);
                reduced?.Dispose();
                reduced = half;
                source = half;
            }

            ResizeCropFlatten(source, origin, destination);
        }
        finally
        {
            reduced?.Dispose();
        }
    }

    /// <summary>
    /// Picks the smallest size the codec can decode to natively (JPEG DCT scaling, WebP) whose shortest side is still at least
    /// <see cref="Size"/>; formats without native scaling (PNG, GIF, BMP) decode at full size.
    /// </summary>
    private static SKSizeI ChooseDecodeSize(SKCodec codec, int width, int height)
    {
        var full = new SKSizeI(width, height);
        int shortest = Math.Min(width, height);
        if (shortest <= Size)
        {
            return full;
        }

        float scale = (float)Size / shortest;
        for (int attempt = 0; attempt < 32 && scale < 1f; attempt++)
        {
            var candidate = codec.GetScaledDimensions(scale);
            if (candidate.Width <= 0 || candidate.Height <= 0 || candidate.Width > width || candidate.Height > height)
            {
                return full;
            }
            if (Math.Min(candidate.Width, candidate.Height) >= Size)
            {
                return candidate;
            }
            // Rounded down below the target (e.g. JPEG's nearest 1/8 step): ask for a slightly larger scale.
            scale = Math.Min(1f, scale + 1f / 32f);
        }
        return full;
    }

    private static SKBitmap Decode(SKCodec codec, SKSizeI size)
    {
        // No colour space: decode the encoded values without ICC conversion (as PIL does). Premultiplied so that
        // resampling weights colour by alpha; the result is flattened onto white afterwards.
        var decodeInfo = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap();
        try
        {
            if (!bitmap.TryAllocPixels(decodeInfo))
            {
                throw new InsufficientMemoryException(
                    $"Could not allocate {decodeInfo.BytesSize64} bytes to decode a {size.Width}x{size.Height} image.");
            }

            var result = codec.GetPixels(decodeInfo, bitmap.GetPixels(), bitmap.RowBytes, SKCodecOptions.Default);
            switch (result)
            {
                case SKCodecResult.Success:
                    break;
                case SKCodecResult.IncompleteInput:
                case SKCodecResult.ErrorInInput:
                    throw new InvalidInputException(
                        $"Image data is truncated or corrupt (decoder reported {result}); a partially decoded image is not embedded.");
                default:
                    throw new InvalidInputException($"Image could not be decoded ({result}).");
            }

            bitmap.NotifyPixelsChanged();
            bitmap.SetImmutable();
            return bitmap;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    /// <summary>Halves both dimensions; bilinear sampling at an exact 1/2 scale is a 2x2 box average.</summary>
    private static SKBitmap Halve(SKBitmap source)
    {
        var info = new SKImageInfo(source.Width / 2, source.Height / 2, SKColorType.Rgba8888, SKAlphaType.Premul);
        var half = new SKBitmap();
        try
        {
            if (!half.TryAllocPixels(info))
            {
                throw new InsufficientMemoryException($"Could not allocate {info.BytesSize64} bytes to reduce an image.");
            }
            if (!source.ScalePixels(half, Bilinear))
            {
                throw new InvalidInputException("Image could not be resized.");
            }
            half.SetImmutable();
            return half;
        }
        catch
        {
            half.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Renders the 224x224 center crop of the oriented image resized so that its shortest side is 224, in one bicubic pass
    /// (no full-size resized intermediate, so extreme aspect ratios cannot blow up memory), then flattens onto white and normalizes.
    /// </summary>
    private static void ResizeCropFlatten(SKBitmap source, SKEncodedOrigin origin, Span<float> destination)
    {
        int rawW = source.Width, rawH = source.Height;
        bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop
            or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int dispW = swap ? rawH : rawW;
        int dispH = swap ? rawW : rawH;

        // Shortest side to Size; the long side is truncated like torchvision/HF (int(size * long / short)).
        int resizedW, resizedH;
        if (dispW <= dispH)
        {
            resizedW = Size;
            resizedH = (int)Math.Max(Size, (long)Size * dispH / dispW);
        }
        else
        {
            resizedH = Size;
            resizedW = (int)Math.Max(Size, (long)Size * dispW / dispH);
        }
        int cropX = (resizedW - Size) / 2;
        int cropY = (resizedH - Size) / 2;
        float sx = (float)resizedW / dispW;
        float sy = (float)resizedH / dispH;

        // raw -> display (EXIF origin, as SkEncodedOriginToMatrix), then scale, then shift by the crop offset.
        var (o00, o01, o02, o10, o11, o12) = origin switch
        {
            SKEncodedOrigin.TopRight => (-1f, 0f, (float)rawW, 0f, 1f, 0f),
            SKEncodedOrigin.BottomRight => (-1f, 0f, (float)rawW, 0f, -1f, (float)rawH),
            SKEncodedOrigin.BottomLeft => (1f, 0f, 0f, 0f, -1f, (float)rawH),
            SKEncodedOrigin.LeftTop => (0f, 1f, 0f, 1f, 0f, 0f),
            SKEncodedOrigin.RightTop => (0f, -1f, (float)rawH, 1f, 0f, 0f),
            SKEncodedOrigin.RightBottom => (0f, -1f, (float)rawH, -1f, 0f, (float)rawW),
            SKEncodedOrigin.LeftBottom => (0f, 1f, 0f, -1f, 0f, (float)rawW),
            _ => (1f, 0f, 0f, 0f, 1f, 0f),
        };
        var matrix = new SKMatrix(
            sx * o00, sx * o01, sx * o02 - cropX,
            sy * o10, sy * o11, sy * o12 - cropY,
            0f, 0f, 1f);

        var outInfo = new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var output = new SKBitmap();
        if (!output.TryAllocPixels(outInfo))
        {
            throw new InsufficientMemoryException("Could not allocate the 224x224 output bitmap.");
        }
        using (var shader = source.ToShader(SKShaderTileMode.Clamp, SKShaderTileMode.Clamp, Bicubic, matrix))
        using (var paint = new SKPaint { Shader = shader, BlendMode = SKBlendMode.Src, IsAntialias = false })
        using (var canvas = new SKCanvas(output))
        {
            canvas.DrawPaint(paint);
        }

        ReadOnlySpan<byte> px = output.GetPixelSpan();
        int rowBytes = output.RowBytes;
        var mean = Mean;
        var std = Std;
        float inv255 = 1f / 255f;
        float scaleR = inv255 / std[0], scaleG = inv255 / std[1], scaleB = inv255 / std[2];
        float biasR = mean[0] / std[0], biasG = mean[1] / std[1], biasB = mean[2] / std[2];
        const int Plane = Size * Size;
        var rPlane = destination[..Plane];
        var gPlane = destination.Slice(Plane, Plane);
        var bPlane = destination.Slice(2 * Plane, Plane);
        for (int y = 0; y < Size; y++)
        {
            var row = px.Slice(y * rowBytes, Size * 4);
            int o = y * Size;
            for (int x = 0; x < Size; x++)
            {
                int p = x * 4;
                // Premultiplied "over white": c + (255 - a). Clamp guards against any filter overshoot above alpha.
                int white = 255 - row[p + 3];
                int r = Math.Min(255, row[p] + white);
                int g = Math.Min(255, row[p + 1] + white);
                int b = Math.Min(255, row[p + 2] + white);
                rPlane[o + x] = r * scaleR - biasR;
                gPlane[o + x] = g * scaleG - biasG;
                bPlane[o + x] = b * scaleB - biasB;
            }
        }
    }
}
