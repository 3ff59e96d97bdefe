using Microsoft.Data.Sqlite;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Maps one record type to its collection's columns.</summary>
internal interface IRowMapper<T>
{
    CollectionSchema Schema { get; }

    string Id(T record);

    string DocumentId(T record);

    string Source(T record);

    string Revision(T record);

    float[] Vector(T record);

    /// <summary>Sets the parameters <c>$e0</c>… of <see cref="CollectionSchema.InsertSql"/>.</summary>
    void BindExtras(SqliteParameterCollection parameters, T record);

    /// <summary>Reads a row selected with <see cref="CollectionSchema.RecordColumns"/> (without its vector).</summary>
    T Read(SqliteDataReader reader);
}
