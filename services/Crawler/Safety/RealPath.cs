namespace AspireMmRag.Crawler.Safety;

/// <summary>
/// The real path of a file or folder: every symlink or junction along the way resolved, <c>.</c> and <c>..</c> applied after
/// resolving the component before them (as the OS does), like POSIX realpath(3). Missing components are kept as written.
/// </summary>
public static class RealPath
{
    private const int MaxLinks = 40;

    /// <exception cref="IOException">Too many links (a loop).</exception>
    public static string Resolve(string path)
    {
        var links = 0;
        return Resolve(Path.IsPathRooted(path) ? path : Path.Combine(Environment.CurrentDirectory, path), ref links);
    }

    private static string Resolve(string path, ref int links)
    {
        var root = Path.GetPathRoot(path)!;
        var parts = path[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        var current = root;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }

            var next = Path.Combine(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks)
            {
                throw new IOException($"Too many symbolic links while resolving '{path}'.");
            }
            var resolvedTarget = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
            return Resolve(Path.Combine([resolvedTarget, .. parts[(i + 1)..]]), ref links);
        }
        return current;
    }
}
