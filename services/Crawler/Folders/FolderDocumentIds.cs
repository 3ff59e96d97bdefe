namespace AspireMmRag.Crawler.Folders;

/// <summary>
/// Ids of folder documents: <c>folder:{root name}/{relative path}</c> (<c>folder:docs/guides/helsinki.md</c>). The per-folder
/// pseudo document that holds a folder's unreferenced images ends with '/': <c>folder:docs/guides/</c> (<c>folder:docs/</c>
/// for the root itself).
/// </summary>
public static class FolderDocumentIds
{
    public static string ForFile(string rootName, string relativePath) => $"folder:{rootName}/{relativePath}";

    public static string ForFolderImages(string rootName, string relativeFolder) =>
        relativeFolder.Length == 0 ? $"folder:{rootName}/" : $"folder:{rootName}/{relativeFolder}/";
}
