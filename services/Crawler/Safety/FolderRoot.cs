namespace AspireMmRag.Crawler.Safety;

/// <summary>A configured folder root: its name (in document ids) and its real path.</summary>
public sealed record FolderRoot(string Name, string RealPath)
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Whether the real path <paramref name="realPath"/> is this root or lies under it.</summary>
    public bool Contains(string realPath)
    {
        var root = RealPath.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        if (root.Length == 0)
        {
            return true; // the file-system root itself
        }
        return realPath.Equals(root, PathComparison)
            || (realPath.StartsWith(root, PathComparison) && realPath.Length > root.Length
                && (realPath[root.Length] == Path.DirectorySeparatorChar || realPath[root.Length] == Path.AltDirectorySeparatorChar));
    }

    /// <summary>The path of <paramref name="realPath"/> relative to the root, with '/' separators ("" for the root itself).</summary>
    public string RelativePathOf(string realPath)
    {
        var relative = Path.GetRelativePath(RealPath, realPath);
        return relative == "." ? "" : relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}
