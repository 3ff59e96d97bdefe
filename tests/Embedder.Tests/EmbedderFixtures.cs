namespace AspireMmRag.Embedder.Tests;

/// <summary>An embedder serving arctic-embed-xs and a CLIP test model in the given export layout.</summary>
public abstract class EmbedderFixture : IAsyncLifetime
{
    private readonly Func<ClipModelDirectory> _createClip;
    private readonly bool _expectClip;

    protected EmbedderFixture(Func<ClipModelDirectory> createClip, bool expectClip)
    {
        _createClip = createClip;
        _expectClip = expectClip;
    }

    public ClipModelDirectory Clip { get; private set; } = null!;
    public EmbedderHost Host { get; private set; } = null!;
    public Embedding.Grpc.Embedder.EmbedderClient Client { get; private set; } = null!;

    protected virtual (string Key, string? Value)[] ExtraSettings => [];

    public async Task InitializeAsync()
    {
        Clip = _createClip();
        Host = new EmbedderHost(EmbedderHost.Settings(Clip.Path, ExtraSettings));
        Client = Host.CreateClient();
        await Host.WaitForModelsAsync(_expectClip);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Clip.Dispose();
    }
}

public sealed class SplitClipEmbedderFixture() : EmbedderFixture(ClipModelDirectory.Split, expectClip: true)
{
    protected override (string Key, string? Value)[] ExtraSettings =>
    [
        ("Limits:MaxTextCharacters", "2000"),
        ("Limits:MaxImageBytes", "2000000"),
        ("Limits:MaxImagePixels", "4000000"),
        ("Limits:MaxTextsPerRequest", "64"),
    ];
}

public sealed class CombinedClipEmbedderFixture() : EmbedderFixture(ClipModelDirectory.Combined, expectClip: true);

public sealed class NoClipEmbedderFixture() : EmbedderFixture(ClipModelDirectory.Empty, expectClip: false);

/// <summary>Split CLIP with an image byte budget of two tensors, and the embedder's own logs kept from Information up.</summary>
public sealed class ReliabilityEmbedderFixture() : EmbedderFixture(ClipModelDirectory.Split, expectClip: true)
{
    public const long TwoImageTensors = 2L * 3 * 224 * 224 * sizeof(float);

    protected override (string Key, string? Value)[] ExtraSettings =>
    [
        ("Batching:MaxQueuedImageBytes", TwoImageTensors.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("Logging:LogLevel:AspireMmRag", "Information"),
    ];
}
