using Microsoft.Extensions.Options;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Checks <see cref="EmbeddedVectorStoreOptions"/> (used by the DI extension and by the store's constructor).</summary>
public sealed class EmbeddedVectorStoreOptionsValidator : IValidateOptions<EmbeddedVectorStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedVectorStoreOptions options)
    {
        var errors = Errors(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static IEnumerable<string> Errors(EmbeddedVectorStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            yield return "Directory is required (the folder of vectors.db and the index snapshots).";
        }
        if (!Enum.IsDefined(options.Role))
        {
            yield return $"Role {options.Role} is not Writer or Reader.";
        }
        if (options.ExactScanThreshold < 0)
        {
            yield return "ExactScanThreshold must be 0 or more.";
        }
        if (options.FilteredExactScanThreshold < 0)
        {
            yield return "FilteredExactScanThreshold must be 0 or more.";
        }
        if (options.TermIndexMaxRows < 0)
        {
            yield return "TermIndexMaxRows must be 0 (no in-memory full-text index) or more.";
        }
        if (options.Hnsw is null)
        {
            yield return "Hnsw is required.";
        }
        else
        {
            if (options.Hnsw.Connectivity is < 2 or > 256)
            {
                yield return "Hnsw:Connectivity must be between 2 and 256.";
            }
            if (options.Hnsw.ExpansionAdd is < 1 or > 4096 || options.Hnsw.ExpansionSearch is < 1 or > 4096)
            {
                yield return "Hnsw:ExpansionAdd and Hnsw:ExpansionSearch must be between 1 and 4096.";
            }
            if (!Enum.IsDefined(options.Hnsw.Quantization))
            {
                yield return $"Hnsw:Quantization {options.Hnsw.Quantization} is not Float16 or Float32.";
            }
            if (options.Hnsw.IndexThreads < 0)
            {
                yield return "Hnsw:IndexThreads must be 0 (one per core) or more.";
            }
        }
        if (options.SnapshotInterval <= TimeSpan.Zero)
        {
            yield return "SnapshotInterval must be positive.";
        }
        if (options.SnapshotAfterRows < 0)
        {
            yield return "SnapshotAfterRows must be 0 (off) or more.";
        }
        if (options.ReaderPollInterval <= TimeSpan.Zero)
        {
            yield return "ReaderPollInterval must be positive.";
        }
        if (options.WriteBatchSize < 1)
        {
            yield return "WriteBatchSize must be 1 or more.";
        }
        if (options.BusyTimeout < TimeSpan.Zero)
        {
            yield return "BusyTimeout must not be negative.";
        }
        if (options.MaxTopK < 1)
        {
            yield return "MaxTopK must be 1 or more.";
        }
    }
}
