using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AspireMmRag.Gateway.Catalog;

/// <summary>
/// Brings the catalog's schema up to date before the gateway serves or consumes anything (it is registered before the
/// message bus, and hosted services start in order): applies the provider's migrations, retrying for up to
/// <see cref="StartTimeout"/> while the database is not reachable yet, switches SQLite to WAL, and forgets applied message
/// ids older than <see cref="ProcessedMessageRetention"/>.
/// </summary>
public sealed partial class CatalogMigrator(IServiceScopeFactory scopes, TimeProvider time, ILogger<CatalogMigrator> logger) : IHostedService
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan ProcessedMessageRetention = TimeSpan.FromDays(7);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateAsync(timeout.Token);
                return;
            }
            catch (Exception ex) when (IsUnreachable(ex) && !timeout.IsCancellationRequested)
            {
                LogRetrying(logger, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException($"The catalog database could not be reached within {StartTimeout.TotalSeconds:0} s (ConnectionStrings:catalog).");
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        if (db.Database.IsSqlite())
        {
            var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            if (Path.GetDirectoryName(Path.GetFullPath(file)) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }
        }
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToArray();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        var cutoff = time.GetUtcNow() - ProcessedMessageRetention;
        var forgotten = await db.ProcessedMessages.Where(m => m.ProcessedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        LogReady(logger, db.Database.ProviderName ?? "?", pending.Length, forgotten);
    }

    private static bool IsUnreachable(Exception exception) =>
        exception is System.Net.Sockets.SocketException or TimeoutException
        || exception is Npgsql.NpgsqlException { IsTransient: true }
        || exception.InnerException is { } inner && IsUnreachable(inner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The catalog database is not reachable yet (attempt {Attempt}): {Error}")]
    private static partial void LogRetrying(ILogger logger, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Catalog ready on {Provider}: {Applied} migrations applied, {Forgotten} old message ids forgotten")]
    private static partial void LogReady(ILogger logger, string provider, int applied, int forgotten);
}
