using System.Security.Cryptography;
using AspireMmRag.Media;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Ingestion.Tests;

/// <summary>The media store never serves bytes that do not match their reference, and never leaves a partial file under
/// a final name.</summary>
public sealed class FileSystemMediaStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mmrag-media-" + Guid.NewGuid().ToString("N"));

    private FileSystemMediaStore Store() => new(Options.Create(new MediaStoreOptions { Directory = _root }));

    private string PathOf(string reference) => Path.Combine(_root, reference[..2], reference);

    [Fact]
    public async Task A_truncated_stored_file_is_not_served_and_is_deleted()
    {
        var store = Store();
        var bytes = RandomNumberGenerator.GetBytes(50_000);
        var reference = await store.PutAsync(bytes, CancellationToken.None);
        // What a crash before the data reached the disk leaves: the right name, part of the bytes.
        await File.WriteAllBytesAsync(PathOf(reference), bytes[..1_000]);

        Assert.Null(await store.GetAsync(reference, CancellationToken.None));
        Assert.False(File.Exists(PathOf(reference)));
        Assert.False(await store.ExistsAsync(reference, CancellationToken.None));
    }

    [Fact]
    public async Task A_corrupt_file_of_the_right_size_is_not_served()
    {
        var store = Store();
        var bytes = RandomNumberGenerator.GetBytes(4_096);
        var reference = await store.PutAsync(bytes, CancellationToken.None);
        await File.WriteAllBytesAsync(PathOf(reference), new byte[bytes.Length]);

        Assert.False(await store.ExistsAsync(reference, CancellationToken.None));
        Assert.Null(await store.GetAsync(reference, CancellationToken.None));
    }

    [Fact]
    public async Task Storing_the_bytes_again_repairs_a_corrupt_file()
    {
        var store = Store();
        var bytes = RandomNumberGenerator.GetBytes(20_000);
        var reference = await store.PutAsync(bytes, CancellationToken.None);
        await File.WriteAllBytesAsync(PathOf(reference), bytes[..10]);

        // The crawler fetches the image again and stores it: the same reference now serves the full bytes.
        Assert.Equal(reference, await store.PutAsync(bytes, CancellationToken.None));

        Assert.Equal(bytes, await store.GetAsync(reference, CancellationToken.None));
    }

    [Fact]
    public async Task A_write_that_fails_midway_leaves_no_file_under_the_final_name_nor_a_temporary_one()
    {
        var store = Store();
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var reference = MediaReference.For(bytes);
        var written = 0L;
        store.AfterChunkWritten = total =>
        {
            written = total;
            throw new IOException("The disk failed mid-write.");
        };

        await Assert.ThrowsAsync<IOException>(() => store.PutAsync(bytes, CancellationToken.None));

        Assert.InRange(written, 1, bytes.Length - 1);
        Assert.False(File.Exists(PathOf(reference)));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(PathOf(reference))!));
        Assert.Null(await store.GetAsync(reference, CancellationToken.None));

        // The next attempt stores it.
        store.AfterChunkWritten = null;
        await store.PutAsync(bytes, CancellationToken.None);
        Assert.Equal(bytes, await store.GetAsync(reference, CancellationToken.None));
    }

    [Fact]
    public async Task A_write_killed_midway_leaves_only_a_temporary_file_that_is_never_served()
    {
        var store = Store();
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        var reference = MediaReference.For(bytes);
        string[] during = [];
        store.AfterChunkWritten = _ =>
        {
            // As seen by another process at the moment of a crash: the final name does not exist yet.
            during = Directory.GetFiles(Path.GetDirectoryName(PathOf(reference))!);
            throw new OperationCanceledException();
        };

        await Assert.ThrowsAsync<OperationCanceledException>(() => store.PutAsync(bytes, CancellationToken.None));

        var partial = Assert.Single(during);
        Assert.NotEqual(PathOf(reference), partial);
        Assert.EndsWith(".tmp", partial, StringComparison.Ordinal);
        Assert.False(await Store().ExistsAsync(reference, CancellationToken.None));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
