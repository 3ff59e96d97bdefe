using System.Net.Sockets;
using AspireMmRag.TestModels;
using Npgsql;

namespace AspireMmRag.Gateway.Tests.Catalog;

/// <summary>The real PostgreSQL the catalog tests run against (<see cref="PostgresServer"/>): it starts, serves fresh databases,
/// and leaves nothing behind. Not installed → these tests fail (install postgresql; .ci/run does).</summary>
public sealed class PostgresServerTests
{
    [Fact]
    public async Task Starts_serves_a_fresh_database_and_leaves_nothing_behind_when_stopped()
    {
        string root;
        int port;
        await using (var server = new PostgresServer())
        {
            await server.StartAsync();
            root = server.RootDirectory;
            port = server.Port;
            Assert.True(Directory.Exists(Path.Combine(root, "data")));

            var connectionString = await server.CreateDatabaseAsync();
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            Assert.Equal(("127.0.0.1", port, "postgres"), (builder.Host, builder.Port, builder.Username));

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await Execute(connection, "CREATE TABLE documents (id text PRIMARY KEY, title text NOT NULL)");
            await Execute(connection, "INSERT INTO documents VALUES ('folder:samples/helsinki.md', 'Helsinki')");
            await using var query = new NpgsqlCommand("SELECT current_database(), (SELECT title FROM documents), current_setting('fsync')", connection);
            await using var reader = await query.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(builder.Database, reader.GetString(0));
            Assert.Equal("Helsinki", reader.GetString(1));
            Assert.Equal("off", reader.GetString(2));
        }

        Assert.False(Directory.Exists(root), $"{root} is still there");
        using var tcp = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => tcp.ConnectAsync("127.0.0.1", port));
    }

    [Fact]
    public async Task Databases_of_one_server_do_not_see_each_other()
    {
        await using var server = new PostgresServer();
        await server.StartAsync();
        var first = await server.CreateDatabaseAsync();
        var second = await server.CreateDatabaseAsync("catalog_second");
        Assert.Equal("catalog_second", new NpgsqlConnectionStringBuilder(second).Database);
        Assert.Equal(server.ConnectionString("catalog_second"), second);

        await using (var connection = new NpgsqlConnection(first))
        {
            await connection.OpenAsync();
            await Execute(connection, "CREATE TABLE jobs (id uuid PRIMARY KEY)");
        }
        await using (var connection = new NpgsqlConnection(second))
        {
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_name = 'jobs'", connection);
            Assert.Equal(0L, await count.ExecuteScalarAsync());
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
