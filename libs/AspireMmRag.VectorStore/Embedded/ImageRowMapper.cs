using Microsoft.Data.Sqlite;

namespace AspireMmRag.VectorStore.Embedded;

internal sealed class ImageRowMapper : IRowMapper<ImageRecord>
{
    public static readonly ImageRowMapper Instance = new();

    public CollectionSchema Schema => CollectionSchema.Images;

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
        };
    }
}
