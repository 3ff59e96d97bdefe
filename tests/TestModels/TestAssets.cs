namespace AspireMmRag.TestModels;

/// <summary>
/// Locates the shared test assets (CLIP vocab, tiny GGUF...) through <c>MMRAG_TEST_ASSETS</c>.
/// When the variable is unset, the conventional <c>../shared/models</c> beside the repository is tried.
/// A missing asset throws: on CI (<c>CI=true</c>) that is a failure, never a silent skip.
/// </summary>
public static class TestAssets
{
    public const string EnvironmentVariable = "MMRAG_TEST_ASSETS";

    public static string Root { get; } = FindRoot();

    public static string ClipVocabJson => Require(Path.Combine(Root, "clip", "vocab.json"));
    public static string ClipMerges => Require(Path.Combine(Root, "clip", "merges.txt"));
    public static string ClipBpeGz => Require(Path.Combine(Root, "clip", "bpe_simple_vocab_16e6.txt.gz"));
    public static string TinyLlamaGguf => Require(Path.Combine(Root, "llm", "stories260K.gguf"));

    private static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException(
            $"Test asset '{path}' is missing. Set {EnvironmentVariable} to the shared models folder (CI uses ../shared/models).", path);

    private static string FindRoot()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured);
            return Directory.Exists(full) ? full : throw new DirectoryNotFoundException(
                $"{EnvironmentVariable}='{configured}' does not exist (resolved to '{full}').");
        }

        // Walk up from the test binaries to the repository, then look beside it for shared/models.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "models");
            if (File.Exists(Path.Combine(dir.FullName, "AspireMmRag.sln")) && Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }
        throw new DirectoryNotFoundException(
            $"Shared test assets not found: set {EnvironmentVariable} (CI sets it to ../shared/models).");
    }
}
