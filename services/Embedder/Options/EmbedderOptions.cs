using AspireMmRag.Embedder.Inference.Clip;

namespace AspireMmRag.Embedder.Options;

/// <summary>Where the models live and how they run. Bound from the <c>Models</c> configuration section.</summary>
public sealed class ModelsOptions
{
    public const string SectionName = "Models";

    /// <summary>Fetch a missing CLIP model from the Hub at start-up (needs internet).</summary>
    public bool AutoDownload { get; set; } = true;

    /// <summary>The Hub (or a mirror) the CLIP model is fetched from.</summary>
    public string HubEndpoint { get; set; } = "https://huggingface.co";

    /// <summary>Overall time allowed for the start-up download before the embedder gives up and serves without CLIP.</summary>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The manifest (<c>models/models.json</c>) that names the files to download; relative to the app folder.</summary>
    public string ManifestPath { get; set; } = "models.json";

    public ClipModelOptions Clip { get; set; } = new();
    public PassageModelOptions Passage { get; set; } = new();
}

public sealed class ClipModelOptions
{
    /// <summary>Folder with <c>text_model.onnx</c> + <c>vision_model.onnx</c> (split export) or <c>model.onnx</c> (combined),
    /// and the tokenizer files (<c>vocab.json</c> + <c>merges.txt</c>, or <c>bpe_simple_vocab_16e6.txt.gz</c>).
    /// Relative paths are resolved against the repository's <c>models</c> folder when it exists, else the app folder.</summary>
    public string Directory { get; set; } = "clip-vit-base-patch32";

    public string ModelId { get; set; } = "openai/clip-vit-base-patch32";
    public string TextModelFile { get; set; } = "text_model.onnx";
    public string VisionModelFile { get; set; } = "vision_model.onnx";
    public string CombinedModelFile { get; set; } = "model.onnx";

    /// <summary>Token id used to pad CLIP texts. 0 (OpenAI) and 49407 (Hugging Face) give the same embedding.</summary>
    public long PadTokenId { get; set; }
}

public sealed class PassageModelOptions
{
    /// <summary>Folder with <c>model.onnx</c> + <c>vocab.txt</c>. Empty: the built-in snowflake-arctic-embed-xs.</summary>
    public string Directory { get; set; } = "";
    public string ModelId { get; set; } = "snowflake-arctic-embed-xs";

    /// <summary>Prepended to query texts (arctic-embed v1 and bge v1.5 use this one); passages get none.</summary>
    public string QueryPrefix { get; set; } = "Represent this sentence for searching relevant passages: ";

    public PassagePooling Pooling { get; set; } = PassagePooling.Cls;
    public int MaxTokens { get; set; } = 512;
    public bool LowerCase { get; set; } = true;
}

public enum PassagePooling
{
    Cls,
    Mean,
}

/// <summary>ONNX Runtime settings. Bound from <c>Inference</c>.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary><c>Auto</c> tries CUDA and falls back to CPU; <c>Cpu</c> never tries CUDA; <c>Cuda</c> fails if CUDA does not load.</summary>
    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Auto;
    public int CudaDeviceId { get; set; }

    /// <summary>Threads per inference call; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; set; }
}

public enum ExecutionProviderPreference
{
    Auto,
    Cpu,
    Cuda,
}

/// <summary>Dynamic micro-batching. Bound from <c>Batching</c>.</summary>
public sealed class BatchingOptions
{
    public const string SectionName = "Batching";

    /// <summary>Most items (texts or images) in one inference call.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>How long an idle model waits for more items before running a partial batch.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Most items waiting per model; beyond it calls fail with RESOURCE_EXHAUSTED.</summary>
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>Bytes of decoded image tensors (602,112 per image) the image lane may hold at once, from decoding until the
    /// call ends; a call reserves its share before any image is decoded and beyond it fails with RESOURCE_EXHAUSTED.
    /// Default 256 MiB (about 445 images).</summary>
    public long MaxQueuedImageBytes { get; set; } = 256L * 1024 * 1024;
}

/// <summary>What one request may carry. Bound from <c>Limits</c>.</summary>
public sealed class RequestLimitsOptions
{
    public const string SectionName = "Limits";

    public int MaxTextsPerRequest { get; set; } = 256;
    public int MaxTextCharacters { get; set; } = 32_768;
    public int MaxImagesPerRequest { get; set; } = 32;
    public long MaxImageBytes { get; set; } = 20_000_000;
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>Images decoded at the same time (each can hold up to MaxImagePixels × 4 bytes while decoding).</summary>
    public int MaxConcurrentDecodes { get; set; } = Environment.ProcessorCount;

    public ImageLimits ImageLimits => new(MaxImageBytes, MaxImagePixels);
}
