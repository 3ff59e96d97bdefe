using Microsoft.Extensions.Options;

namespace AspireMmRag.Media;

public sealed class MediaStoreOptions
{
    public const string SectionName = "MediaStore";

    /// <summary>The shared directory (the AppHost gives every service the same one).</summary>
    public string Directory { get; set; } = Path.Combine(AppContext.BaseDirectory, "media");
}

/// <summary>Files under <c>{root}/{ab}/{abcdef…}</c>; writes go to a temporary file and are renamed into place, so a
/// reader never sees half an image and concurrent writers of the same bytes do not conflict.</summary>
public sealed class FileSystemMediaStore(IOptions<MediaStoreOptions> options) : IMediaStore
{
    private readonly string _root = Path.GetFullPath(options.Value.Directory);

    public async Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var reference = MediaReference.For(content.Span);
        var path = PathOf(reference);
        if (File.Exists(path))
        {
            return reference;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await file.WriteAsync(content, cancellationToken);
                await file.FlushAsync(cancellationToken);
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
        var path = PathOf(MediaReference.Validate(mediaRef));
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task<bool> ExistsAsync(string mediaRef, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(PathOf(MediaReference.Validate(mediaRef))));

    private string PathOf(string reference) => Path.Combine(_root, reference[..2], reference);
}
