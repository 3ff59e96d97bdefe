using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using AspireMmRag.Embedder.Inference;
using AspireMmRag.Embedder.Inference.Clip;
using SkiaSharp;

namespace AspireMmRag.Embedder.Tests;

public sealed class ClipImagePreprocessorTests
{
    private const int Size = ClipImagePreprocessor.Size;
    private const int Plane = Size * Size;

    // Independent copies of the CLIP constants (openai/CLIP, HF CLIPImageProcessor).
    private static readonly double[] ClipMean = [0.48145466, 0.4578275, 0.40821073];
    private static readonly double[] ClipStd = [0.26862954, 0.26130258, 0.27577711];

    private static readonly ImageLimits DefaultLimits = new();

    // ---------------------------------------------------------------- helpers

    private static double Expected(int channel, double value255) => (value255 / 255.0 - ClipMean[channel]) / ClipStd[channel];

    /// <summary>Back to 0..255 for readable assertions.</summary>
    private static double ToByte(float normalized, int channel) => (normalized * ClipStd[channel] + ClipMean[channel]) * 255.0;

    private static float[] Run(byte[] encoded, ImageLimits? limits = null)
    {
        var tensor = new float[ClipImagePreprocessor.TensorLength];
        ClipImagePreprocessor.Preprocess(encoded, tensor, limits ?? DefaultLimits);
        return tensor;
    }

    private static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 100)
    {
        using var data = bitmap.Encode(format, quality);
        Assert.NotNull(data);
        return data.ToArray();
    }

    private static byte[] Solid(int width, int height, SKColor color, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 100)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        bitmap.Erase(color);
        return Encode(bitmap, format, quality);
    }

    /// <summary>Three bands along the long axis: first, middle (half of the long side), last.</summary>
    private static byte[] Bands(int width, int height, bool vertical, SKColor first, SKColor middle, SKColor last,
        SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 100)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        if (vertical)
        {
            int q = width / 4;
            bitmap.Erase(first, new SKRectI(0, 0, q, height));
            bitmap.Erase(middle, new SKRectI(q, 0, width - q, height));
            bitmap.Erase(last, new SKRectI(width - q, 0, width, height));
        }
        else
        {
            int q = height / 4;
            bitmap.Erase(first, new SKRectI(0, 0, width, q));
            bitmap.Erase(middle, new SKRectI(0, q, width, height - q));
            bitmap.Erase(last, new SKRectI(0, height - q, width, height));
        }
        return Encode(bitmap, format, quality);
    }

    private static byte[] Noise(int width, int height, int seed, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = bitmap.GetPixelSpan();
        random.NextBytes(pixels);
        for (int i = 3; i < pixels.Length; i += 4)
        {
            pixels[i] = 255;
        }
        bitmap.NotifyPixelsChanged();
        return Encode(bitmap, format, 90);
    }

    private static void AssertSolid(float[] tensor, SKColor color, double tolerance)
    {
        double[] expected = [Expected(0, color.Red), Expected(1, color.Green), Expected(2, color.Blue)];
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < Plane; i++)
            {
                double actual = tensor[c * Plane + i];
                if (Math.Abs(actual - expected[c]) > tolerance)
                {
                    Assert.Fail($"channel {c} pixel ({i % Size},{i / Size}): expected {expected[c]:F6}, got {actual:F6}");
                }
            }
        }
    }

    private static (double R, double G, double B) PixelAt(float[] tensor, int x, int y) =>
        (ToByte(tensor[y * Size + x], 0), ToByte(tensor[Plane + y * Size + x], 1), ToByte(tensor[2 * Plane + y * Size + x], 2));

    private static InvalidInputException AssertRejected(byte[] encoded, ImageLimits limits, params string[] messageParts)
    {
        var ex = Assert.Throws<InvalidInputException>(() => Run(encoded, limits));
        foreach (var part in messageParts)
        {
            Assert.Contains(part, ex.Message, StringComparison.OrdinalIgnoreCase);
        }
        return ex;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }
        return ~crc;
    }

    private static void WriteChunk(MemoryStream png, string type, ReadOnlySpan<byte> payload)
    {
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(u32, (uint)payload.Length);
        png.Write(u32);
        byte[] typeAndPayload = [.. Encoding.ASCII.GetBytes(type), .. payload];
        png.Write(typeAndPayload);
        BinaryPrimitives.WriteUInt32BigEndian(u32, Crc32(typeAndPayload));
        png.Write(u32);
    }

    /// <summary>A structurally valid 8-bit greyscale PNG whose IHDR claims <paramref name="width"/>x<paramref name="height"/>,
    /// with an IDAT holding only the first row.</summary>
    private static byte[] PngClaiming(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);

        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 0;  // greyscale; compression, filter, interlace = 0
        WriteChunk(png, "IHDR", ihdr);

        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(new byte[1 + width]); // filter byte + one row of zeros
        }
        WriteChunk(png, "IDAT", idat.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Inserts an EXIF APP1 segment holding only the Orientation tag right after the JPEG SOI marker.</summary>
    private static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        Assert.True(jpeg[0] == 0xFF && jpeg[1] == 0xD8, "not a JPEG");
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF header, IFD0 at offset 8
            0x00, 0x01,                                                 // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,             // Orientation, SHORT, count 1
            (byte)(orientation >> 8), (byte)orientation, 0x00, 0x00,    // value
            0x00, 0x00, 0x00, 0x00,                                     // no next IFD
        ];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        int length = payload.Length + 2;
        byte[] app1 = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload];
        return [.. jpeg.AsSpan(0, 2), .. app1, .. jpeg.AsSpan(2)];
    }

    // ---------------------------------------------------------------- constants

    [Fact]
    public void Constants_MatchClip()
    {
        Assert.Equal(3 * 224 * 224, ClipImagePreprocessor.TensorLength);
        Assert.Equal(224, ClipImagePreprocessor.Size);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(ClipMean[c], ClipImagePreprocessor.Mean[c], 1e-7);
            Assert.Equal(ClipStd[c], ClipImagePreprocessor.Std[c], 1e-7);
        }
    }

    // ---------------------------------------------------------------- valid images

    [Fact]
    public void SolidColourPng_EveryValueIsNormalizedColour()
    {
        var color = new SKColor(200, 100, 50);
        AssertSolid(Run(Solid(300, 200, color)), color, 1e-4);
    }

    [Theory]
    [InlineData(224, 224)]  // no resize
    [InlineData(100, 60)]   // upscale
    [InlineData(1000, 900)] // 2x reductions before the bicubic step
    [InlineData(3, 5000)]   // extreme aspect ratio
    public void SolidColourPng_AnySize(int width, int height)
    {
        var color = new SKColor(10, 240, 128);
        AssertSolid(Run(Solid(width, height, color)), color, 1e-4);
    }

    [Theory]
    [InlineData(300, 200)]
    [InlineData(2400, 1600)] // scaled (DCT) decode path
    public void SolidColourJpeg_CloseToNormalizedColour(int width, int height)
    {
        var color = new SKColor(200, 100, 50);
        // JPEG's YCbCr round trip moves solid colours by a couple of levels.
        AssertSolid(Run(Solid(width, height, color, SKEncodedImageFormat.Jpeg)), color, 3.0 / 255 / 0.26);
    }

    [Theory]
    [InlineData(300, 200)]
    [InlineData(1500, 1000)] // scaled decode path
    public void SolidColourWebP_CloseToNormalizedColour(int width, int height)
    {
        var color = new SKColor(200, 100, 50);
        AssertSolid(Run(Solid(width, height, color, SKEncodedImageFormat.Webp)), color, 3.0 / 255 / 0.26);
    }

    [Fact]
    public void WideImage_ShortestSideResizedAndCenterCropped()
    {
        // 600x300 -> 448x224; the centre 224 columns are exactly the green band (150..450 in the source).
        var bytes = Bands(600, 300, vertical: true, SKColors.Red, new SKColor(0, 255, 0), SKColors.Blue);
        var tensor = Run(bytes);
        for (int y = 0; y < Size; y += 7)
        {
            for (int x = 4; x < Size - 4; x++)
            {
                var (r, g, b) = PixelAt(tensor, x, y);
                Assert.True(r < 0.5 && g > 254.5 && b < 0.5, $"({x},{y}) = ({r:F2},{g:F2},{b:F2}), expected green");
            }
        }
        // No red or blue anywhere: the crop stays inside the green band apart from filter blur at the very edge.
        for (int y = 0; y < Size; y += 7)
        {
            Assert.True(PixelAt(tensor, 0, y).G > 200 && PixelAt(tensor, Size - 1, y).G > 200);
        }
    }

    [Fact]
    public void TallImage_ShortestSideResizedAndCenterCropped()
    {
        var bytes = Bands(300, 600, vertical: false, SKColors.Red, new SKColor(0, 255, 0), SKColors.Blue);
        var tensor = Run(bytes);
        for (int y = 4; y < Size - 4; y++)
        {
            for (int x = 0; x < Size; x += 7)
            {
                var (r, g, b) = PixelAt(tensor, x, y);
                Assert.True(r < 0.5 && g > 254.5 && b < 0.5, $"({x},{y}) = ({r:F2},{g:F2},{b:F2}), expected green");
            }
        }
    }

    [Fact]
    public void SquareNoResize_BandsAreExact()
    {
        // 448x224: no resize at all; crop columns 112..336 = the green band, bit-exact.
        var bytes = Bands(448, 224, vertical: true, SKColors.Red, new SKColor(0, 255, 0), SKColors.Blue);
        var tensor = Run(bytes);
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                var (r, g, b) = PixelAt(tensor, x, y);
                Assert.True(Math.Abs(r) < 1e-3 && Math.Abs(g - 255) < 1e-3 && Math.Abs(b) < 1e-3, $"({x},{y})");
            }
        }
    }

    [Fact]
    public void FullyTransparentPng_FlattenedOntoWhite()
    {
        var bytes = Solid(300, 250, new SKColor(0, 0, 0, 0));
        AssertSolid(Run(bytes), SKColors.White, 1e-4);
    }

    [Fact]
    public void HalfTransparentPng_CompositedOverWhite()
    {
        // Red at alpha 51/255 over white: 255 in R, 255 * (1 - 0.2) = 204 in G and B.
        var tensor = Run(Solid(256, 256, new SKColor(255, 0, 0, 51)));
        AssertSolid(tensor, new SKColor(255, 204, 204), 1.5 / 255 / 0.26);
    }

    [Theory]
    [InlineData(1, "left")]
    [InlineData(3, "right")]  // rotated 180
    [InlineData(6, "top")]    // rotate 90 clockwise to display
    [InlineData(8, "bottom")] // rotate 90 counter-clockwise to display
    public void ExifOrientation_IsHonoured(ushort orientation, string redSide)
    {
        // Stored pixels: left half red, right half blue.
        using var bitmap = new SKBitmap(300, 200, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        bitmap.Erase(SKColors.Red, new SKRectI(0, 0, 150, 200));
        bitmap.Erase(SKColors.Blue, new SKRectI(150, 0, 300, 200));
        var jpeg = WithExifOrientation(Encode(bitmap, SKEncodedImageFormat.Jpeg, 95), orientation);
        var tensor = Run(jpeg);

        (int x, int y) near = redSide switch
        {
            "left" => (30, 112),
            "right" => (193, 112),
            "top" => (112, 30),
            _ => (112, 193),
        };
        (int x, int y) far = (Size - 1 - near.x, Size - 1 - near.y);
        var red = PixelAt(tensor, near.x, near.y);
        var blue = PixelAt(tensor, far.x, far.y);
        Assert.True(red.R > 200 && red.B < 60, $"expected red on the {redSide}, got {red}");
        Assert.True(blue.B > 200 && blue.R < 60, $"expected blue opposite the {redSide}, got {blue}");
    }

    [Fact]
    public void SameInput_SameOutput_AlsoInParallel()
    {
        var bytes = Noise(640, 480, seed: 7, SKEncodedImageFormat.Jpeg);
        var reference = Run(bytes);
        Assert.All(reference, v => Assert.True(float.IsFinite(v)));
        Parallel.For(0, 16, _ => Assert.Equal(reference, Run(bytes)));
    }

    // ---------------------------------------------------------------- bad input

    [Fact]
    public void Empty_Rejected() => AssertRejected([], DefaultLimits, "empty");

    [Fact]
    public void GarbageBytes_Rejected()
    {
        var garbage = new byte[4096];
        new Random(1234).NextBytes(garbage);
        garbage[0] = (byte)'x'; // make sure no image signature can match by chance
        AssertRejected(garbage, DefaultLimits, "not in a supported image format");
    }

    [Fact]
    public void TextBytes_Rejected() =>
        AssertRejected("this is definitely not an image"u8.ToArray(), DefaultLimits, "format");

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    public void TruncatedImage_Rejected(SKEncodedImageFormat format)
    {
        var full = Noise(256, 256, seed: 3, format);
        var half = full.AsSpan(0, full.Length / 2).ToArray();
        AssertRejected(half, DefaultLimits, "truncated");
    }

    [Fact]
    public void HeaderOnlyPng_Rejected()
    {
        var full = Solid(300, 200, SKColors.Gray);
        AssertRejected(full.AsSpan(0, 20).ToArray(), DefaultLimits, "truncated");
    }

    [Fact]
    public void PngClaiming100000x100000_RejectedBeforeDecoding()
    {
        var bomb = PngClaiming(100_000, 100_000);
        Assert.True(bomb.Length < 4096, $"bomb is {bomb.Length} bytes");
        var ex = AssertRejected(bomb, DefaultLimits, "100000x100000", "pixels", "limit");
        Assert.Contains("40000000", ex.Message);
    }

    [Fact]
    public void CraftedPngHelper_ProducesDecodablePng()
    {
        // Guards the CRC/chunk writer: a small claimed size decodes (as an incomplete image, which is rejected as truncated,
        // not as an unsupported format), proving the codec accepted the crafted header.
        AssertRejected(PngClaiming(300, 300), DefaultLimits, "truncated");
    }

    [Fact]
    public void MoreBytesThanMaxBytes_Rejected()
    {
        var bytes = Solid(300, 200, SKColors.Gray);
        Assert.True(bytes.Length > 100);
        AssertRejected(bytes, new ImageLimits(MaxBytes: 100), "bytes", "limit");
    }

    [Fact]
    public void MaxBytesCheckedBeforeDecoding()
    {
        // Garbage larger than the byte limit reports the size, not the format: nothing was decoded.
        AssertRejected(new byte[1001], new ImageLimits(MaxBytes: 1000), "1001 bytes", "1000 bytes");
    }

    [Fact]
    public void MorePixelsThanMaxPixels_Rejected()
    {
        var bytes = Solid(200, 200, SKColors.Gray);
        AssertRejected(bytes, new ImageLimits(MaxPixels: 10_000), "200x200", "pixels", "10000");
    }

    [Fact]
    public void AfterBadInputs_ValidImageStillWorks()
    {
        var garbage = new byte[512];
        new Random(5).NextBytes(garbage);
        garbage[0] = (byte)'x';
        var truncated = Noise(128, 128, seed: 9);
        byte[][] bad =
        [
            [],
            garbage,
            truncated.AsSpan(0, truncated.Length / 2).ToArray(),
            PngClaiming(100_000, 100_000),
            Solid(200, 200, SKColors.Gray),
        ];
        var tight = new ImageLimits(MaxBytes: 1_000_000, MaxPixels: 10_000);
        for (int round = 0; round < 3; round++)
        {
            foreach (var b in bad)
            {
                Assert.Throws<InvalidInputException>(() => Run(b, tight));
            }
        }

        var color = new SKColor(200, 100, 50);
        AssertSolid(Run(Solid(300, 200, color)), color, 1e-4);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(ClipImagePreprocessor.TensorLength - 1)]
    [InlineData(ClipImagePreprocessor.TensorLength + 1)]
    public void WrongDestinationLength_Throws(int length)
    {
        var bytes = Solid(300, 200, SKColors.Gray);
        var destination = new float[length];
        Assert.Throws<ArgumentException>(() => ClipImagePreprocessor.Preprocess(bytes, destination, DefaultLimits));
    }
}
