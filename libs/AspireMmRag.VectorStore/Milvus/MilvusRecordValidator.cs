using System.Text;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>Checks records, ids, filter values and vectors before anything is sent, so the caller gets an
/// <see cref="ArgumentException"/> naming the offending value instead of a Milvus error code.</summary>
internal static class MilvusRecordValidator
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void ValidatePassage(PassageRecord record, int index, int dimension, string paramName)
    {
        var label = $"{paramName}[{index}]";
        if (record is null)
        {
            throw new ArgumentException($"{label} is null.", paramName);
        }
        ValidateId(record.Id, label, paramName);
        label = $"{label} (id '{record.Id}')";
        ValidateString(record.Text, MilvusSchema.Text, MilvusSchema.TextMaxLength, label, paramName);
        ValidateString(record.DocumentId, MilvusSchema.DocumentId, MilvusSchema.DocumentIdMaxLength, label, paramName);
        ValidateString(record.Source, MilvusSchema.Source, MilvusSchema.SourceMaxLength, label, paramName);
        ValidateString(record.Title, MilvusSchema.Title, MilvusSchema.TitleMaxLength, label, paramName);
        ValidateString(record.Url, MilvusSchema.Url, MilvusSchema.UrlMaxLength, label, paramName);
        ValidateString(record.Section, MilvusSchema.Section, MilvusSchema.SectionMaxLength, label, paramName);
        ValidateString(record.Revision, MilvusSchema.Revision, MilvusSchema.RevisionMaxLength, label, paramName);
        ValidateVector(record.Vector, dimension, label, paramName);
    }

    public static void ValidateImage(ImageRecord record, int index, int dimension, string paramName)
    {
        var label = $"{paramName}[{index}]";
        if (record is null)
        {
            throw new ArgumentException($"{label} is null.", paramName);
        }
        ValidateId(record.Id, label, paramName);
        label = $"{label} (id '{record.Id}')";
        ValidateString(record.MediaRef, MilvusSchema.MediaRef, MilvusSchema.MediaRefMaxLength, label, paramName);
        ValidateString(record.Caption, MilvusSchema.Caption, MilvusSchema.CaptionMaxLength, label, paramName);
        ValidateString(record.Attribution, MilvusSchema.Attribution, MilvusSchema.AttributionMaxLength, label, paramName);
        ValidateString(record.DocumentId, MilvusSchema.DocumentId, MilvusSchema.DocumentIdMaxLength, label, paramName);
        ValidateString(record.Source, MilvusSchema.Source, MilvusSchema.SourceMaxLength, label, paramName);
        ValidateString(record.Url, MilvusSchema.Url, MilvusSchema.UrlMaxLength, label, paramName);
        ValidateString(record.Revision, MilvusSchema.Revision, MilvusSchema.RevisionMaxLength, label, paramName);
        ValidateString(record.Title, MilvusSchema.Title, MilvusSchema.TitleMaxLength, label, paramName);
        ValidateString(record.Section, MilvusSchema.Section, MilvusSchema.SectionMaxLength, label, paramName);
        ValidateString(record.SourceUrl, MilvusSchema.SourceUrl, MilvusSchema.UrlMaxLength, label, paramName);
        ValidateString(record.DescriptionUrl, MilvusSchema.DescriptionUrl, MilvusSchema.UrlMaxLength, label, paramName);
        ValidateString(record.License, MilvusSchema.License, MilvusSchema.LicenseMaxLength, label, paramName);
        ValidateString(record.MimeType, MilvusSchema.MimeType, MilvusSchema.MimeTypeMaxLength, label, paramName);
        ValidateVector(record.Vector, dimension, label, paramName);
    }

    /// <summary>An id is non-empty, valid UTF-16, free of control characters and at most
    /// <see cref="MilvusSchema.IdMaxLength"/> UTF-8 bytes (the primary key's <c>max_length</c>).</summary>
    public static void ValidateId(string? id, string label, string paramName)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new ArgumentException($"{label}: the id is null or empty.", paramName);
        }
        if (id.Any(char.IsControl))
        {
            throw new ArgumentException($"{label}: the id '{id.ReplaceLineEndings(" ")}' contains control characters.", paramName);
        }
        var bytes = Utf8Length(id, $"{label}: the id", paramName);
        if (bytes > MilvusSchema.IdMaxLength)
        {
            throw new ArgumentException(
                $"{label}: the id is {bytes} UTF-8 bytes long; the Milvus primary key '{MilvusSchema.Id}' holds at most {MilvusSchema.IdMaxLength} bytes.",
                paramName);
        }
    }

    /// <summary>A value compared in a filter expression: not null and valid UTF-16 (it is escaped by <see cref="MilvusFilter"/>).</summary>
    public static void ValidateFilterValue(string? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        Utf8Length(value, $"'{paramName}'", paramName);
    }

    /// <summary>The vector has exactly <paramref name="dimension"/> finite components and is not all zeros (cosine is undefined then).</summary>
    public static void ValidateVector(float[]? vector, int dimension, string label, string paramName)
    {
        if (vector is null || vector.Length != dimension)
        {
            throw new ArgumentException(
                $"{label}: the vector has {vector?.Length ?? 0} dimensions; the collection expects {dimension}.", paramName);
        }
        var zero = true;
        for (var i = 0; i < vector.Length; i++)
        {
            var component = vector[i];
            if (!float.IsFinite(component))
            {
                throw new ArgumentException($"{label}: vector component {i} is {component}; only finite values are allowed.", paramName);
            }
            zero &= component == 0f;
        }
        if (zero)
        {
            throw new ArgumentException($"{label}: the vector is all zeros; cosine similarity is undefined for it.", paramName);
        }
    }

    private static void ValidateString(string? value, string field, int maxBytes, string label, string paramName)
    {
        if (value is null)
        {
            throw new ArgumentException($"{label}: {field} is null.", paramName);
        }
        var bytes = Utf8Length(value, $"{label}: {field}", paramName);
        if (bytes > maxBytes)
        {
            throw new ArgumentException(
                $"{label}: {field} is {bytes} UTF-8 bytes long; the Milvus field '{field}' holds at most {maxBytes} bytes (max_length). Split it before storing.",
                paramName);
        }
    }

    private static int Utf8Length(string value, string what, string paramName)
    {
        try
        {
            return StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"{what} is not valid Unicode (an unpaired surrogate).", paramName, ex);
        }
    }
}
