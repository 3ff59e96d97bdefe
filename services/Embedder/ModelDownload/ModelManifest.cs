using System.Text.Json;

namespace AspireMmRag.Embedder.ModelDownload;

/// <summary>
/// The models the embedder can download, read from <c>models/models.json</c> (the same file the download scripts read).
/// </summary>
public sealed record ModelManifest(IReadOnlyDictionary<string, ModelManifestEntry> Models)
{
    public const string FileName = "models.json";
    public const string DefaultRevision = "main";

    /// <summary>The entry named <paramref name="id"/> (e.g. <c>clip</c>).</summary>
    public ModelManifestEntry Get(string id) =>
        Models.TryGetValue(id, out var entry)
            ? entry
            : throw new KeyNotFoundException($"Model '{id}' is not in the model manifest (known: {string.Join(", ", Models.Keys)}).");

    /// <summary>Reads and validates the manifest at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid manifest.</exception>
    public static ModelManifest Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Model manifest '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Parses and validates manifest JSON.</summary>
    /// <exception cref="InvalidDataException">The text is not a valid manifest.</exception>
    public static ModelManifest Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            var models = RequireProperty(document.RootElement, "models", JsonValueKind.Object, "the root");
            var entries = new Dictionary<string, ModelManifestEntry>(StringComparer.Ordinal);
            foreach (var model in models.EnumerateObject())
            {
                entries[model.Name] = ModelManifestEntry.FromJson(model.Name, model.Value);
            }

            return new ModelManifest(entries);
        }
    }

    internal static JsonElement RequireProperty(JsonElement parent, string name, JsonValueKind kind, string where)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind != kind)
        {
            throw new InvalidDataException($"{where} needs a '{name}' {kind.ToString().ToLowerInvariant()}.");
        }

        return value;
    }

    internal static string? OptionalString(JsonElement parent, string name, string where)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new InvalidDataException($"{where}: '{name}' must be a string or null.");
    }
}

/// <summary>One model: a Hub repository at a revision, and the files to fetch from it into one local folder.</summary>
/// <param name="Id">The manifest key, e.g. <c>clip</c>.</param>
/// <param name="Repo">Hub repository id, e.g. <c>Xenova/clip-vit-base-patch32</c>.</param>
/// <param name="Revision">Branch, tag or commit (default <c>main</c>).</param>
/// <param name="Folder">Default local folder name under <c>models/</c>.</param>
/// <param name="Feature">What is unavailable while the files are missing (used in log messages).</param>
public sealed record ModelManifestEntry(
    string Id,
    string Repo,
    string Revision,
    string Folder,
    string Feature,
    IReadOnlyList<ModelManifestFile> Files)
{
    internal static ModelManifestEntry FromJson(string id, JsonElement json)
    {
        var where = $"model '{id}'";
        var repo = ModelManifest.RequireProperty(json, "repo", JsonValueKind.String, where).GetString()!;
        if (repo.Split('/') is not [{ Length: > 0 }, { Length: > 0 }] || repo.Contains("..", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{where}: 'repo' must look like 'owner/name', not '{repo}'.");
        }

        var revision = ModelManifest.OptionalString(json, "revision", where) is { Length: > 0 } r ? r : ModelManifest.DefaultRevision;
        var folder = ModelManifest.RequireProperty(json, "folder", JsonValueKind.String, where).GetString()!;
        ModelManifestFile.RequirePlainFileName(folder, $"{where}: 'folder'");
        var feature = ModelManifest.OptionalString(json, "feature", where) is { Length: > 0 } f ? f : $"the '{id}' model";

        var files = new List<ModelManifestFile>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in ModelManifest.RequireProperty(json, "files", JsonValueKind.Array, where).EnumerateArray())
        {
            var parsed = ModelManifestFile.FromJson(file, where);
            if (!names.Add(parsed.Name))
            {
                throw new InvalidDataException($"{where}: the local name '{parsed.Name}' is used twice.");
            }

            files.Add(parsed);
        }

        if (files.Count == 0)
        {
            throw new InvalidDataException($"{where}: 'files' is empty.");
        }

        return new ModelManifestEntry(id, repo, revision, folder, feature, files);
    }
}

/// <summary>One file of a model.</summary>
/// <param name="Path">Path inside the Hub repository, with <c>/</c> separators (e.g. <c>onnx/vision_model.onnx</c>).</param>
/// <param name="Name">Local file name inside the model folder (e.g. <c>vision_model.onnx</c>).</param>
/// <param name="Sha256">Pinned lowercase hex sha256, or null to take the expected hash from the Hub. A pinned value wins.</param>
public sealed record ModelManifestFile(string Path, string Name, string? Sha256)
{
    /// <summary>Written next to the downloads: <c>sha256sum</c> format, one verified file a line.</summary>
    public const string ChecksumFileName = "SHA256SUMS";

    internal static ModelManifestFile FromJson(JsonElement json, string model)
    {
        var path = ModelManifest.RequireProperty(json, "path", JsonValueKind.String, $"{model}: a file").GetString()!;
        var where = $"{model}: file '{path}'";
        if (path.Length == 0 || path.StartsWith('/') || path.Contains('\\') || path.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new InvalidDataException($"{where}: 'path' must be a relative path with '/' separators.");
        }

        var name = ModelManifest.OptionalString(json, "name", where) ?? path[(path.LastIndexOf('/') + 1)..];
        RequirePlainFileName(name, $"{where}: 'name'");
        if (string.Equals(name, ChecksumFileName, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{where}: '{ChecksumFileName}' is reserved for the checksums of the downloads.");
        }

        var sha256 = ModelManifest.OptionalString(json, "sha256", where);
        if (sha256 is not null)
        {
            if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit))
            {
                throw new InvalidDataException($"{where}: 'sha256' must be 64 hex digits or null.");
            }

            sha256 = sha256.ToLowerInvariant();
        }

        return new ModelManifestFile(path, name, sha256);
    }

    internal static void RequirePlainFileName(string name, string where)
    {
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(['/', '\\']) >= 0 || name.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new InvalidDataException($"{where} must be a plain file name, not '{name}'.");
        }
    }
}
