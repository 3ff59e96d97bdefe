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
            // A relative path (CI uses ../shared/models) is taken from the working directory, else from the repository root:
            // test hosts run in their output folder, not where the command was typed.
            var candidates = new List<string> { Path.GetFullPath(configured) };
            if (!Path.IsPathRooted(configured) && RepositoryRoot() is { } repository)
            {
                candidates.Add(Path.GetFullPath(Path.Combine(repository, configured)));
            }
            return candidates.FirstOrDefault(Directory.Exists) ?? throw new DirectoryNotFoundException(
                $"{EnvironmentVariable}='{configured}' does not exist (tried {string.Join(", ", candidates)}).");
        }

        // Unset: look beside the repository for shared/models.
        if (RepositoryRoot() is { } root && Path.GetFullPath(Path.Combine(root, "..", "shared", "models")) is var beside && Directory.Exists(beside))
        {
            return beside;
        }
        throw new DirectoryNotFoundException(
            $"Shared test assets not found: set {EnvironmentVariable} (CI sets it to ../shared/models).");
    }

    /// <summary>The folder holding AspireMmRag.sln above the test binaries, if any.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AspireMmRag.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
