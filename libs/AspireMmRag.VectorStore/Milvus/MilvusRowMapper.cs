using System.Globalization;
using System.Text.Json;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>Maps records to Milvus rows (one JSON object per entity, keyed by field name, as <c>entities/upsert</c>
/// takes them) and search hits back to records. A passage row carries its search text, never the sparse field that
/// Milvus's BM25 function derives from it.</summary>
internal static class MilvusRowMapper
{
    public static void WritePassage(Utf8JsonWriter writer, PassageRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString(MilvusSchema.Id, record.Id);
        WriteVector(writer, record.Vector);
        writer.WriteString(MilvusSchema.Text, record.Text);
        writer.WriteString(MilvusSchema.DocumentId, record.DocumentId);
        writer.WriteString(MilvusSchema.Source, record.Source);
        writer.WriteString(MilvusSchema.Title, record.Title);
        writer.WriteString(MilvusSchema.Url, record.Url);
        writer.WriteString(MilvusSchema.Section, record.Section);
        writer.WriteString(MilvusSchema.Revision, record.Revision);
        writer.WriteNumber(MilvusSchema.ChunkIndex, record.ChunkIndex);
        writer.WriteString(MilvusFullText.SearchText, MilvusFullText.SearchTextOf(record));
        writer.WriteEndObject();
    }

    public static void WriteImage(Utf8JsonWriter writer, ImageRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString(MilvusSchema.Id, record.Id);
        WriteVector(writer, record.Vector);
        writer.WriteString(MilvusSchema.MediaRef, record.MediaRef);
        writer.WriteString(MilvusSchema.Caption, record.Caption);
        writer.WriteString(MilvusSchema.Attribution, record.Attribution);
        writer.WriteString(MilvusSchema.DocumentId, record.DocumentId);
        writer.WriteString(MilvusSchema.Source, record.Source);
        writer.WriteString(MilvusSchema.Url, record.Url);
        writer.WriteString(MilvusSchema.Revision, record.Revision);
        writer.WriteString(MilvusSchema.Title, record.Title);
        writer.WriteString(MilvusSchema.Section, record.Section);
        writer.WriteString(MilvusSchema.SourceUrl, record.SourceUrl);
        writer.WriteString(MilvusSchema.DescriptionUrl, record.DescriptionUrl);
        writer.WriteString(MilvusSchema.License, record.License);
        writer.WriteString(MilvusSchema.MimeType, record.MimeType);
        writer.WriteEndObject();
    }

    /// <summary>A search hit (<c>{"id":…,"distance":…,&lt;outputFields&gt;}</c>) as a passage; the vector is not returned.</summary>
    public static PassageRecord ReadPassage(JsonElement row) => new()
    {
        Id = ReadString(row, MilvusSchema.Id),
        Text = ReadString(row, MilvusSchema.Text),
        DocumentId = ReadString(row, MilvusSchema.DocumentId),
        Source = ReadString(row, MilvusSchema.Source),
        Title = ReadString(row, MilvusSchema.Title),
        Url = ReadString(row, MilvusSchema.Url),
        Section = ReadString(row, MilvusSchema.Section),
        Revision = ReadString(row, MilvusSchema.Revision),
        ChunkIndex = checked((int)ReadInt64(row, MilvusSchema.ChunkIndex)),
    };

    public static ImageRecord ReadImage(JsonElement row) => new()
    {
        Id = ReadString(row, MilvusSchema.Id),
        MediaRef = ReadString(row, MilvusSchema.MediaRef),
        Caption = ReadString(row, MilvusSchema.Caption),
        Attribution = ReadString(row, MilvusSchema.Attribution),
        DocumentId = ReadString(row, MilvusSchema.DocumentId),
        Source = ReadString(row, MilvusSchema.Source),
        Url = ReadString(row, MilvusSchema.Url),
        Revision = ReadString(row, MilvusSchema.Revision),
        Title = ReadString(row, MilvusSchema.Title),
        Section = ReadString(row, MilvusSchema.Section),
        SourceUrl = ReadString(row, MilvusSchema.SourceUrl),
        DescriptionUrl = ReadString(row, MilvusSchema.DescriptionUrl),
        License = ReadString(row, MilvusSchema.License),
        MimeType = ReadString(row, MilvusSchema.MimeType),
    };

    public static string ReadString(JsonElement row, string field)
    {
        if (row.ValueKind == JsonValueKind.Object && row.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }
        throw new VectorStoreException($"A Milvus result row lacks the string field '{field}'.");
    }

    /// <summary>Reads an Int64 sent as a JSON number (with <c>Accept-Type-Allow-Int64: true</c>) or as a string (without it).</summary>
    public static long ReadInt64(JsonElement row, string field)
    {
        if (row.ValueKind == JsonValueKind.Object && row.TryGetProperty(field, out var value) && TryReadInt64(value, out var number))
        {
            return number;
        }
        throw new VectorStoreException($"A Milvus result row lacks the integer field '{field}'.");
    }

    public static bool TryReadInt64(JsonElement value, out long number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out number),
            JsonValueKind.String => long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
    }

    private static void WriteVector(Utf8JsonWriter writer, float[] vector)
    {
        writer.WriteStartArray(MilvusSchema.Vector);
        foreach (var component in vector)
        {
            writer.WriteNumberValue(component);
        }
        writer.WriteEndArray();
    }
}
