using System.Text.Json;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Messaging;
using Microsoft.EntityFrameworkCore;

namespace AspireMmRag.Gateway.Catalog;

/// <summary>The jobs as the API sees them: created when a crawl request is accepted, read back with their documents and events.</summary>
public sealed class JobCatalog(CatalogDbContext db, TimeProvider time)
{
    public async Task CreateAsync(CrawlRequested request, CancellationToken cancellationToken)
    {
        db.Jobs.Add(new IngestJob
        {
            Id = request.RequestId,
            Source = request.Source,
            Request = request.Source == DocumentSources.Folder ? request.Folder ?? "" : string.Join('\n', request.Titles),
            CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Ends a job whose crawl request never reached the broker.</summary>
    public async Task AbandonAsync(Guid jobId, CancellationToken cancellationToken)
    {
        if (await db.Jobs.FindAsync([jobId], cancellationToken) is { } job)
        {
            db.Jobs.Remove(job);
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public Task<bool> ExistsAsync(Guid jobId, CancellationToken cancellationToken) =>
        db.Jobs.AnyAsync(job => job.Id == jobId, cancellationToken);

    public async Task<IngestJobView?> GetAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job is null)
        {
            return null;
        }
        var documents = await db.JobDocuments.AsNoTracking().Where(d => d.JobId == jobId).OrderBy(d => d.Key).ToListAsync(cancellationToken);
        return new IngestJobView(job.Id, job.Source, job.State, job.CreatedAt, job.FinishedAt, documents.Select(View).ToArray());
    }

    /// <summary>The job's events after <paramref name="afterSequence"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<JobEvent>> EventsAfterAsync(Guid jobId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        await db.JobEvents.AsNoTracking()
            .Where(e => e.JobId == jobId && e.Sequence > afterSequence)
            .OrderBy(e => e.Sequence)
            .Take(limit)
            .ToListAsync(cancellationToken);

    private static JobDocumentView View(JobDocument document) => new(
        document.DocumentId,
        document.Title,
        document.Url,
        document.State,
        CatalogProjection.Passages(document),
        CatalogProjection.Images(document),
        (JsonSerializer.Deserialize<List<JobDocumentError>>(document.Errors, CatalogProjection.Json) ?? [])
            .Select(error => new JobErrorView(error.Stage, error.Reason)).ToArray());
}
