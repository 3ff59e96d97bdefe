using Microsoft.Data.Sqlite;

namespace AspireMmRag.VectorStore.Embedded;

internal sealed class PassageRowMapper : IRowMapper<PassageRecord>
{
    public static readonly PassageRowMapper Instance = new();

    public CollectionSchema Schema => CollectionSchema.Passages;

    public string Id(PassageRecord record) => record.Id;

    public string DocumentId(PassageRecord record) => record.DocumentId;

    public string Source(PassageRecord record) => record.Source;

    public string Revision(PassageRecord record) => record.Revision;

    public float[] Vector(PassageRecord record) => record.Vector;

    public void BindExtras(SqliteParameterCollection parameters, PassageRecord record)
    {
        parameters["$e0"].Value = record.Title;
        parameters["$e1"].Value = record.Url;
        parameters["$e2"].Value = record.Section;
        parameters["$e3"].Value = record.ChunkIndex;
        parameters["$e4"].Value = record.Text;
    }

    public PassageRecord Read(SqliteDataReader reader)
    {
        const int e = CollectionSchema.FirstExtraOrdinal;
        return new PassageRecord
        {
            Id = reader.GetString(1),
            DocumentId = reader.GetString(2),
            Source = reader.GetString(3),
            Revision = reader.GetString(4),
            Title = reader.GetString(e),
            Url = reader.GetString(e + 1),
            Section = reader.GetString(e + 2),
            ChunkIndex = reader.GetInt32(e + 3),
            Text = reader.GetString(e + 4),
        };
    }
}
