using AspireMmRag.TestModels;

namespace AspireMmRag.Embedder.Tests;

/// <summary>A temporary folder laid out like a downloaded CLIP export: the test graphs plus the real CLIP tokenizer files.</summary>
public sealed class ClipModelDirectory : IDisposable
{
    private ClipModelDirectory(string path) => Path = path;

    public string Path { get; }

    public static ClipModelDirectory Split() => Create(dir => ClipTestModels.WriteSplit(dir, TestAssets.ClipVocabJson));

    public static ClipModelDirectory Combined() => Create(dir => ClipTestModels.WriteCombined(dir, TestAssets.ClipVocabJson));

    public static ClipModelDirectory Empty() => Create(_ => { });

    private static ClipModelDirectory Create(Action<string> write)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mmrag-clip-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        write(path);
        if (Directory.EnumerateFiles(path).Any())
        {
            File.Copy(TestAssets.ClipVocabJson, System.IO.Path.Combine(path, "vocab.json"));
            File.Copy(TestAssets.ClipMerges, System.IO.Path.Combine(path, "merges.txt"));
        }
        return new ClipModelDirectory(path);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a session on some platforms; the temp folder is cleaned eventually.
        }
    }
}
