using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Media;

public sealed class MediaStoreOptions
{
    public const string SectionName = "MediaStore";

    /// <summary>The shared directory (the AppHost gives every service the same one).</summary>
    public string Directory { get; set; } = Path.Combine(AppContext.BaseDirectory, "media");
}

/// <summary>
/// Files under <c>{root}/{ab}/{abcdef…}</c>, named by the sha256 of their bytes.
/// <list type="bullet">
/// <item>Writes go to a temporary file in the same folder, are flushed to disk (fsync) and then renamed into place, so the
/// final name only ever holds complete bytes, even after a crash or power loss (the rename itself may then be lost: the
/// file is missing and fetched again). A failed write deletes its temporary file.</item>
/// <item>Reads trust nothing: every file read is checked against its name (sha256; the bytes are in memory anyway, and
/// hashing costs far less than decoding or sending the image). A file that does not match, such as one truncated by a crash
/// of an older version, is deleted, logged as a warning and reported as missing, so the indexer treats the image as
/// unavailable and the crawler's next <see cref="PutAsync"/> of the real bytes stores it again.</item>
/// <item><see cref="PutAsync"/> of bytes already stored compares them with the stored file and replaces a file that differs.</item>
/// </list>
/// </summary>
public sealed partial class FileSystemMediaStore(IOptions<MediaStoreOptions> options, ILogger<FileSystemMediaStore>? logger = null) : IMediaStore
{
    private const int ChunkSize = 1 << 20;

    private readonly string _root = Path.GetFullPath(options.Value.Directory);
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Test hook: called after each chunk written to the temporary file with the bytes written so far (a throw
    /// stands for a failure mid-write).</summary>
    internal Action<long>? AfterChunkWritten { get; set; }

    public async Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var reference = MediaReference.For(content.Span);
        var path = PathOf(reference);
        if (await ReadIfPresentAsync(path, cancellationToken) is { } stored)
        {
            if (stored.AsSpan().SequenceEqual(content.Span))
            {
                return reference;
            }
            LogReplaced(_logger, reference, stored.Length, content.Length);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                for (var offset = 0; offset < content.Length; offset += ChunkSize)
                {
                    var chunk = content.Slice(offset, Math.Min(ChunkSize, content.Length - offset));
                    await file.WriteAsync(chunk, cancellationToken);
                    AfterChunkWritten?.Invoke(offset + chunk.Length);
                }
                // fsync before the rename: the final name must never point at data still only in the page cache.
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
        return reference;
    }

    public async Task<byte[]?> GetAsync(string mediaRef, CancellationToken cancellationToken)
    {
        var reference = MediaReference.Validate(mediaRef);
        var path = PathOf(reference);
        var bytes = await ReadIfPresentAsync(path, cancellationToken);
        return bytes is null || Verify(reference, path, bytes) ? bytes : null;
    }

    /// <summary>Whether a file whose bytes match <paramref name="mediaRef"/> is stored (a mismatching one is deleted).</summary>
    public async Task<bool> ExistsAsync(string mediaRef, CancellationToken cancellationToken) =>
        await GetAsync(mediaRef, cancellationToken) is not null;

    private static async Task<byte[]?> ReadIfPresentAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="bytes"/> hash to <paramref name="reference"/>; when not, deletes the file and logs it.</summary>
    private bool Verify(string reference, string path, byte[] bytes)
    {
        var actual = MediaReference.For(bytes);
        if (actual == reference)
        {
            return true;
        }
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogDeleteFailed(_logger, ex, path);
        }
        LogCorrupt(_logger, reference, bytes.Length, actual, path);
        return false;
    }

    private string PathOf(string reference) => Path.Combine(_root, reference[..2], reference);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Stored media {Reference} is corrupt ({Length} bytes hashing to {Actual}): deleted {Path}, reported as missing until it is stored again")]
    private static partial void LogCorrupt(ILogger logger, string reference, int length, string actual, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the corrupt media file {Path}")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Stored media {Reference} differs from its bytes ({StoredLength} bytes stored, {Length} given): replacing it")]
    private static partial void LogReplaced(ILogger logger, string reference, int storedLength, int length);
}
