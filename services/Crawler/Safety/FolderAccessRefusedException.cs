namespace AspireMmRag.Crawler.Safety;

/// <summary>A folder or file outside the configured roots (through <c>..</c>, a symlink or a junction), or no roots at all.</summary>
public sealed class FolderAccessRefusedException(string message, string reason) : Exception(message)
{
    public string Reason { get; } = reason;
}
