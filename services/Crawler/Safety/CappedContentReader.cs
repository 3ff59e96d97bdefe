namespace AspireMmRag.Crawler.Safety;

/// <summary>Reads a response body up to a cap while streaming: Content-Length is only used to refuse early, never trusted.</summary>
public static class CappedContentReader
{
    /// <exception cref="ResponseTooLargeException">The body is longer than <paramref name="maxBytes"/>.</exception>
    public static async Task<byte[]> ReadAsync(HttpContent content, Uri uri, long maxBytes, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is { } declared && declared > maxBytes)
        {
            throw new ResponseTooLargeException(uri, maxBytes);
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var initial = (int)Math.Min(maxBytes + 1, Math.Clamp(content.Headers.ContentLength ?? 64 * 1024, 1024, 1024 * 1024));
        using var buffer = new MemoryStream(initial);
        var chunk = new byte[81920];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return buffer.ToArray();
            }
            if (buffer.Length + read > maxBytes)
            {
                throw new ResponseTooLargeException(uri, maxBytes);
            }
            buffer.Write(chunk, 0, read);
        }
    }
}
