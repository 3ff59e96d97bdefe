using Microsoft.EntityFrameworkCore;

namespace AspireMmRag.Gateway.Catalog;

/// <summary>
/// The catalog: ingest jobs with their documents and events, the indexed documents, and the ids of applied messages.
/// One model, two providers, each with its own migrations: <see cref="SqliteCatalogDbContext"/> (local mode) and
/// <see cref="PostgresCatalogDbContext"/> (container mode). Times are stored in UTC.
/// </summary>
public abstract class CatalogDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<IngestJob> Jobs => Set<IngestJob>();
    public DbSet<JobDocument> JobDocuments => Set<JobDocument>();
    public DbSet<JobEvent> JobEvents => Set<JobEvent>();
    public DbSet<CatalogDocument> Documents => Set<CatalogDocument>();
    public DbSet<ProcessedMessage> ProcessedMessages => Set<ProcessedMessage>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<IngestJob>(job =>
        {
            job.ToTable("jobs");
            job.HasKey(j => j.Id);
            job.Property(j => j.Source).HasMaxLength(32);
            job.Property(j => j.State).HasMaxLength(16);
            job.HasMany(j => j.Documents).WithOne().HasForeignKey(d => d.JobId).OnDelete(DeleteBehavior.Cascade);
            job.HasIndex(j => j.CreatedAt);
        });
        model.Entity<JobDocument>(document =>
        {
            document.ToTable("job_documents");
            document.HasKey(d => new { d.JobId, d.Key });
            document.Property(d => d.State).HasMaxLength(16);
            document.Ignore(d => d.IsFinished);
        });
        model.Entity<JobEvent>(jobEvent =>
        {
            jobEvent.ToTable("job_events");
            jobEvent.HasKey(e => new { e.JobId, e.Sequence });
            jobEvent.Property(e => e.Type).HasMaxLength(32);
            jobEvent.HasOne<IngestJob>().WithMany().HasForeignKey(e => e.JobId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<CatalogDocument>(document =>
        {
            document.ToTable("documents");
            document.HasKey(d => d.DocumentId);
            document.Property(d => d.Source).HasMaxLength(32);
            document.HasIndex(d => new { d.Source, d.DocumentId });
            document.Ignore(d => d.IsListed);
        });
        model.Entity<ProcessedMessage>(message =>
        {
            message.ToTable("processed_messages");
            message.HasKey(m => m.MessageId);
            message.HasIndex(m => m.ProcessedAt);
        });
    }
}
