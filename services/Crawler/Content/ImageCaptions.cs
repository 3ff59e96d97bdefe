using System.Text.RegularExpressions;

namespace AspireMmRag.Crawler.Content;

/// <summary>A caption from a file name when nothing better is known: "helsinki_cathedral.jpg" → "helsinki cathedral".</summary>
public static partial class ImageCaptions
{
    public static string FromFileName(string fileName)
    {
        var name = Path.GetFileNameWithoutExtension(fileName.Replace('\\', '/').Split('/')[^1]);
        if (name.StartsWith("File:", StringComparison.OrdinalIgnoreCase))
        {
            name = name["File:".Length..];
        }
        return TextCleanup.OneLine(SeparatorsRegex().Replace(name, " "));
    }

    [GeneratedRegex(@"[_\-.+]+")]
    private static partial Regex SeparatorsRegex();
}
