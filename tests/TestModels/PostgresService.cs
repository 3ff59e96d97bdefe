using Npgsql;
using Testcontainers.PostgreSql;

namespace AspireMmRag.TestModels;

/// <summary>
/// The PostgreSQL server for the tests, as <see cref="TestServices"/> picks it in <see cref="StartAsync"/>: the local
/// postgres (<see cref="PostgresServer"/>) when installed; else a throwaway <c>postgres</c> container
/// (Testcontainers.PostgreSql) when a container runtime answers; else a <see cref="TestServiceUnavailableException"/>
/// naming both fixes. The same members the fixtures use on <see cref="PostgresServer"/> (start, fresh databases, dispose).
/// </summary>
public sealed class PostgresService(TestServiceProbes probes) : IAsyncDisposable
{
    /// <summary>The image of the container fallback (PostgreSQL 17, the major version the AppHost's Aspire.Hosting.PostgreSQL runs).</summary>
    public const string Image = "postgres:17";

    private readonly List<string> _connectionStrings = [];
    private PostgresServer? _server;
    private PostgreSqlContainer? _container;

    public PostgresService()
        : this(TestServices.Probes(() => PostgresServer.IsInstalled))
    {
    }

    /// <summary>The way <see cref="StartAsync"/> took (null before it).</summary>
    public TestServiceWay? Way { get; private set; }

    /// <summary>One line saying where the server runs, as logged.</summary>
    public string Description { get; private set; } = "not started";

    public async Task StartAsync()
    {
        Way = TestServices.Choose("PostgreSQL", "postgresql", probes);
        if (Way == TestServiceWay.LocalBinary)
        {
            var server = new PostgresServer();
            _server = server;
            await server.StartAsync();
            Description = $"PostgreSQL: local {PostgresServer.BinDirectory}/postgres on 127.0.0.1:{server.Port}";
        }
        else
        {
            // Built here, not in a constructor: Build() throws DockerUnavailableException without a runtime.
            var container = new PostgreSqlBuilder(Image).Build();
            _container = container;
            await container.StartAsync();
            Description = $"PostgreSQL: container {Image} at {container.Hostname}:{container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort)}";
        }
        TestServices.Log(Description);
    }

    /// <summary>The connection string of <paramref name="database"/> on the server.</summary>
    public string ConnectionString(string database)
    {
        if (_server is not null)
        {
            return _server.ConnectionString(database);
        }
        var container = _container ?? throw new InvalidOperationException("PostgreSQL is not started.");
        return new NpgsqlConnectionStringBuilder(container.GetConnectionString()) { Database = database }.ConnectionString;
    }

    /// <summary>Creates a fresh, empty database (a unique name unless given) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        if (_server is not null)
        {
            return await _server.CreateDatabaseAsync(name);
        }
        name ??= $"test_{Guid.NewGuid():N}";
        if (name.Length is 0 or > 63 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"'{name}' is not a plain database name (ASCII letters, digits, '_', at most 63).", nameof(name));
        }
        await using (var connection = new NpgsqlConnection(ConnectionString(PostgreSqlBuilder.DefaultDatabase)))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = ConnectionString(name);
        lock (_connectionStrings)
        {
            _connectionStrings.Add(connectionString);
        }
        return connectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (_container is not null)
        {
            lock (_connectionStrings)
            {
                foreach (var connectionString in _connectionStrings)
                {
                    using var connection = new NpgsqlConnection(connectionString);
                    NpgsqlConnection.ClearPool(connection);
                }
            }
            await _container.DisposeAsync();
        }
    }
}
