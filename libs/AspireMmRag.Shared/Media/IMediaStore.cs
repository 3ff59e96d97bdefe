namespace AspireMmRag.Media;

/// <summary>
/// Image bytes stored once, content-addressed by sha256. A directory shared by the crawler, the indexer and the gateway
/// today (<see cref="FileSystemMediaStore"/>); S3/MinIO can implement the same interface.
/// </summary>
public interface IMediaStore
{
    /// <summary>Stores <paramref name="content"/> (once: same bytes, same reference) and returns its reference.</summary>
    Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>The bytes of <paramref name="mediaRef"/>, or null when unknown (or stored bytes that do not hash to it).</summary>
    /// <exception cref="ArgumentException"><paramref name="mediaRef"/> is not a media reference.</exception>
    Task<byte[]?> GetAsync(string mediaRef, CancellationToken cancellationToken);

    /// <summary>Whether <see cref="GetAsync"/> would return the bytes of <paramref name="mediaRef"/>.</summary>
    Task<bool> ExistsAsync(string mediaRef, CancellationToken cancellationToken);
}
