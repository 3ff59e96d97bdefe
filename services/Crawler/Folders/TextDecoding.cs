using System.Text;

namespace AspireMmRag.Crawler.Folders;

/// <summary>Text files as UTF-8 unless a byte-order mark says otherwise.</summary>
public static class TextDecoding
{
    public static string Decode(byte[] content)
    {
        using var reader = new StreamReader(new MemoryStream(content), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
