using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>Checks <see cref="MilvusOptions"/> against what Milvus accepts, so a bad setting fails at start-up, not on the first write.</summary>
public sealed partial class MilvusOptionsValidator : IValidateOptions<MilvusOptions>
{
    /// <summary>The largest query/search window Milvus allows (offset + limit).</summary>
    public const int MaxQueryWindow = 16384;

    private static readonly string[] ConsistencyLevels = ["Strong", "Bounded", "Session", "Eventually", "Customized"];

    public ValidateOptionsResult Validate(string? name, MilvusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Endpoint is null || !options.Endpoint.IsAbsoluteUri || options.Endpoint.Scheme is not ("http" or "https"))
        {
            failures.Add("Milvus:Endpoint must be an absolute http:// or https:// URL.");
        }
        if (string.IsNullOrWhiteSpace(options.Database) || !IdentifierPattern().IsMatch(options.Database))
        {
            failures.Add("Milvus:Database must be a Milvus name (a letter or underscore, then letters, digits or underscores).");
        }
        var collections = new[]
        {
            ("PassagesCollection", options.PassagesCollection),
            ("ImagesCollection", options.ImagesCollection),
            ("ImageCaptionsCollection", options.ImageCaptionsCollection),
        };
        foreach (var (key, value) in collections)
        {
            if (string.IsNullOrWhiteSpace(value) || value.Length > 255 || !IdentifierPattern().IsMatch(value))
            {
                failures.Add($"Milvus:{key} must be a Milvus collection name (a letter or underscore, then letters, digits or underscores; at most 255).");
            }
        }
        if (collections.Select(c => c.Item2).Distinct(StringComparer.Ordinal).Count() < collections.Length)
        {
            failures.Add("Milvus:PassagesCollection, Milvus:ImagesCollection and Milvus:ImageCaptionsCollection must differ.");
        }
        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout == Timeout.InfiniteTimeSpan)
        {
            failures.Add("Milvus:RequestTimeout must be positive and finite.");
        }
        if (options.LoadTimeout <= TimeSpan.Zero || options.LoadTimeout == Timeout.InfiniteTimeSpan)
        {
            failures.Add("Milvus:LoadTimeout must be positive and finite.");
        }
        if (options.HnswM is < 2 or > 2048)
        {
            failures.Add("Milvus:HnswM must be between 2 and 2048.");
        }
        if (options.HnswEfConstruction < 1)
        {
            failures.Add("Milvus:HnswEfConstruction must be at least 1.");
        }
        if (options.SearchEf is < 1 or > 32768)
        {
            failures.Add("Milvus:SearchEf must be between 1 and 32768.");
        }
        if (options.UpsertBatchSize < 1 || options.DeleteBatchSize < 1)
        {
            failures.Add("Milvus:UpsertBatchSize and Milvus:DeleteBatchSize must be at least 1.");
        }
        if (options.QueryPageSize is < 1 or > MaxQueryWindow)
        {
            failures.Add($"Milvus:QueryPageSize must be between 1 and {MaxQueryWindow}.");
        }
        if (options.ConsistencyLevel is not null && !ConsistencyLevels.Contains(options.ConsistencyLevel, StringComparer.Ordinal))
        {
            failures.Add($"Milvus:ConsistencyLevel must be one of {string.Join(", ", ConsistencyLevels)} (or unset).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> when <paramref name="options"/> is invalid.</summary>
    public static void ThrowIfInvalid(MilvusOptions options)
    {
        var result = new MilvusOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(MilvusOptions), result.Failures);
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
