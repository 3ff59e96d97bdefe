using Microsoft.Data.Sqlite;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Maps image records to either image collection (same columns, different vectors).</summary>
internal sealed class ImageRowMapper : IRowMapper<ImageRecord>
{
    public static readonly ImageRowMapper Images = new(CollectionSchema.Images);

    public static readonly ImageRowMapper ImageCaptions = new(CollectionSchema.ImageCaptions);

    private ImageRowMapper(CollectionSchema schema) => Schema = schema;

    public CollectionSchema Schema { get; }

    public string Id(ImageRecord record) => record.Id;

    public string DocumentId(ImageRecord record) => record.DocumentId;

    public string Source(ImageRecord record) => record.Source;

    public string Revision(ImageRecord record) => record.Revision;

    public float[] Vector(ImageRecord record) => record.Vector;

    public void BindExtras(SqliteParameterCollection parameters, ImageRecord record)
    {
        parameters["$e0"].Value = record.MediaRef;
        parameters["$e1"].Value = record.Caption;
        parameters["$e2"].Value = record.Attribution;
        parameters["$e3"].Value = record.Url;
        parameters["$e4"].Value = record.Title ?? "";
        parameters["$e5"].Value = record.Section ?? "";
        parameters["$e6"].Value = record.SourceUrl ?? "";
        parameters["$e7"].Value = record.DescriptionUrl ?? "";
        parameters["$e8"].Value = record.License ?? "";
        parameters["$e9"].Value = record.MimeType ?? "";
    }

    public ImageRecord Read(SqliteDataReader reader)
    {
        const int e = CollectionSchema.FirstExtraOrdinal;
        return new ImageRecord
        {
            Id = reader.GetString(1),
            DocumentId = reader.GetString(2),
            Source = reader.GetString(3),
            Revision = reader.GetString(4),
            MediaRef = reader.GetString(e),
            Caption = reader.GetString(e + 1),
            Attribution = reader.GetString(e + 2),
            Url = reader.GetString(e + 3),
            Title = reader.GetString(e + 4),
            Section = reader.GetString(e + 5),
            SourceUrl = reader.GetString(e + 6),
            DescriptionUrl = reader.GetString(e + 7),
            License = reader.GetString(e + 8),
            MimeType = reader.GetString(e + 9),
        };
    }
}
