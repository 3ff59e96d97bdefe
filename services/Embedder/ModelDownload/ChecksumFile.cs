using System.Buffers;

namespace AspireMmRag.Embedder.ModelDownload;

/// <summary><c>SHA256SUMS</c> next to the downloads, in <c>sha256sum</c> format (<c>sha256sum -c SHA256SUMS</c> checks it).</summary>
internal sealed class ChecksumFile
{
    private readonly string _path;
    private readonly SortedDictionary<string, string> _entries;

    private ChecksumFile(string path, SortedDictionary<string, string> entries)
    {
        _path = path;
        _entries = entries;
    }

    public static ChecksumFile Load(string directory)
    {
        var path = Path.Combine(directory, ModelManifestFile.ChecksumFileName);
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                // "<64 hex><space><space or *><name>"
                if (line.Length > 66 && line[64] == ' ' && line[65] is ' ' or '*' && !line.AsSpan(0, 64).ContainsAnyExcept(HexDigits))
                {
                    entries[line[66..]] = line[..64].ToLowerInvariant();
                }
            }
        }

        return new ChecksumFile(path, entries);
    }

    public string? Get(string name) => _entries.GetValueOrDefault(name);

    public void SetAndSave(string name, string sha256)
    {
        if (_entries.TryGetValue(name, out var current) && current == sha256)
        {
            return;
        }

        _entries[name] = sha256;
        Save();
    }

    public void RemoveAndSave(string name)
    {
        if (_entries.Remove(name))
        {
            Save();
        }
    }

    private void Save()
    {
        // A unique temp name: replicas sharing the folder may save at the same time; the rename keeps the file whole.
        var temporary = $"{_path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temporary, string.Concat(_entries.Select(e => $"{e.Value}  {e.Key}\n")));
        File.Move(temporary, _path, overwrite: true);
    }

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");
}
