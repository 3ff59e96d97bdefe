using Microsoft.Extensions.Logging;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Index snapshot files: <c>{table}-{seq}-{utc time}.usearch</c> in the data directory (unique names, so a
/// reader never sees a file change under its memory map).</summary>
internal static class SnapshotFiles
{
    /// <summary>Deletes the collection's snapshot files (and leftover temporary files) except <paramref name="keep"/>.</summary>
    public static void DeleteOthers(string directory, CollectionSchema schema, IReadOnlyCollection<string?> keep, ILogger logger)
    {
        IEnumerable<string> files;
        try
        {
            files = System.IO.Directory.EnumerateFiles(directory, $"{schema.Table}-*.usearch*").ToList();
        }
        catch (IOException)
        {
            return;
        }
        foreach (var path in files)
        {
            var name = Path.GetFileName(path);
            if (keep.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }
            try
            {
                // Deleting a file a reader still maps is fine on Linux and macOS; Windows refuses until it unmaps.
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                EmbeddedVectorStoreLog.SnapshotDeleteFailed(logger, e, path);
            }
        }
    }
}
