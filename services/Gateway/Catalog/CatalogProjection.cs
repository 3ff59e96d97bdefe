using System.Text.Json;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Messaging;

namespace AspireMmRag.Gateway.Catalog;

/// <summary>
/// Turns the crawler's and the indexer's events into catalog rows and job events. Each method changes tracked entities of
/// <paramref name="db"/> and returns the job it touched (null when the event belongs to no job, e.g. a seed crawl); the caller
/// saves (see <see cref="CatalogUpdater"/>). The rules do not depend on the order events arrive in: counts only grow, a
/// finished document stays finished (the first outcome wins), a job ends when its crawl is complete and none of its documents
/// is unfinished, and a document's catalog row follows the latest of its indexing and removal times.
/// </summary>
public sealed class CatalogProjection(CatalogDbContext db, TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IngestJob?> ApplyAsync(CrawlFailed failed, CancellationToken cancellationToken)
    {
        if (await JobAsync(failed.RequestId, cancellationToken) is not { } job)
        {
            return null;
        }
        var key = failed.DocumentId is { Length: > 0 } id ? id : "crawl:" + failed.Target;
        var document = await DocumentOfAsync(job, key, failed.DocumentId, failed.Target, "", announce: false, cancellationToken);
        Fail(job, document, "crawl", failed.Reason);
        Complete(job);
        return job;
    }

    public async Task<IngestJob?> ApplyAsync(CrawlCompleted completed, CancellationToken cancellationToken)
    {
        if (await JobAsync(completed.RequestId, cancellationToken) is not { } job)
        {
            return null;
        }
        foreach (var crawled in completed.Documents)
        {
            await DocumentOfAsync(job, crawled.DocumentId, crawled.DocumentId, crawled.Title, crawled.Url, announce: true, cancellationToken);
        }
        job.CrawlCompleted = true;
        Complete(job);
        return job;
    }

    public async Task<IngestJob?> ApplyAsync(DocumentIndexingProgress progress, CancellationToken cancellationToken)
    {
        if (await JobAsync(progress.RequestId, cancellationToken) is not { } job)
        {
            return null;
        }
        var document = await DocumentOfAsync(job, progress.DocumentId, progress.DocumentId, progress.Title, progress.Url, announce: true, cancellationToken);
        if (document.IsFinished)
        {
            return job;
        }
        document.State = JobDocumentStates.Indexing;
        Count(document, progress.ChunksDone, progress.ChunksTotal, progress.ImagesDone, progress.ImagesFailed, progress.ImagesTotal);
        Emit(job, JobEventTypes.Progress, new JobEventData.Progress(document.DocumentId!, Passages(document), Images(document)));
        return job;
    }

    public async Task<IngestJob?> ApplyAsync(ImageIndexingFailed failed, CancellationToken cancellationToken)
    {
        if (await JobAsync(failed.RequestId, cancellationToken) is not { } job)
        {
            return null;
        }
        var document = await DocumentOfAsync(job, failed.DocumentId, failed.DocumentId, "", "", announce: true, cancellationToken);
        Emit(job, JobEventTypes.ImageFailed, new JobEventData.ImageFailed(failed.DocumentId, failed.MediaRef, failed.Reason));
        if (!document.IsFinished)
        {
            AddError(document, "index", $"image {failed.MediaRef}: {failed.Reason}");
        }
        return job;
    }

    public async Task<IngestJob?> ApplyAsync(DocumentIndexed indexed, CancellationToken cancellationToken)
    {
        await RecordIndexedAsync(indexed, cancellationToken);
        if (await JobAsync(indexed.RequestId, cancellationToken) is not { } job)
        {
            return null;
        }
        var document = await DocumentOfAsync(job, indexed.DocumentId, indexed.DocumentId, indexed.Title, indexed.Url, announce: true, cancellationToken);
        if (!document.IsFinished)
        {
            Count(document, indexed.Chunks, indexed.Chunks, indexed.Images, indexed.ImagesFailed, indexed.Images + indexed.ImagesFailed);
            Finish(job, document, JobDocumentStates.Done);
            Emit(job, JobEventTypes.DocumentDone, new JobEventData.DocumentDone(indexed.DocumentId, document.Title, document.Url,
                indexed.Chunks, indexed.Images, indexed.ImagesFailed, indexed.Unchanged));
            Complete(job);
        }
        return job;
    }

    /// <summary>The indexer gave up on a document (its consumer faulted after the retries).</summary>
    public async Task<IngestJob?> ApplyIndexingFaultAsync(DocumentCrawled document, string reason, CancellationToken cancellationToken)
    {
        if (await JobAsync(document.RequestId, cancellationToken) is not { } job)
        {
            return null;
        }
        var jobDocument = await DocumentOfAsync(job, document.DocumentId, document.DocumentId, document.Title, document.Url, announce: true, cancellationToken);
        Fail(job, jobDocument, "index", reason);
        Complete(job);
        return job;
    }

    /// <summary>The indexer removed a document at <paramref name="removedAt"/>: it leaves the list unless it was indexed later.</summary>
    public async Task ApplyAsync(DocumentRemoved removed, DateTimeOffset removedAt, CancellationToken cancellationToken)
    {
        var document = await db.Documents.FindAsync([removed.DocumentId], cancellationToken);
        if (document is null)
        {
            db.Documents.Add(new CatalogDocument { DocumentId = removed.DocumentId, RemovedAt = removedAt.ToUniversalTime() });
            return;
        }
        if (document.IndexedAt is not { } indexedAt || indexedAt <= removedAt)
        {
            document.RemovedAt = Latest(document.RemovedAt, removedAt.ToUniversalTime());
        }
    }

    private async Task RecordIndexedAsync(DocumentIndexed indexed, CancellationToken cancellationToken)
    {
        var indexedAt = indexed.IndexedAt.ToUniversalTime();
        var document = await db.Documents.FindAsync([indexed.DocumentId], cancellationToken);
        if (document is null)
        {
            document = new CatalogDocument { DocumentId = indexed.DocumentId };
            db.Documents.Add(document);
        }
        if (document.RemovedAt is { } removedAt && removedAt >= indexedAt || document.IndexedAt is { } known && known > indexedAt)
        {
            return; // removed afterwards, or a later indexing is already recorded
        }
        document.Source = indexed.Source;
        document.Title = indexed.Title;
        document.TitleKey = indexed.Title.ToLowerInvariant();
        document.Url = indexed.Url;
        document.Revision = indexed.Revision;
        document.Passages = indexed.Chunks;
        document.Images = indexed.Images;
        document.IndexedAt = indexedAt;
        document.RemovedAt = null;
        document.Sections = JsonSerializer.Serialize(indexed.Sections, Json);
        document.ImageList = JsonSerializer.Serialize(indexed.IndexedImages, Json);
    }

    private async Task<IngestJob?> JobAsync(Guid? requestId, CancellationToken cancellationToken)
    {
        if (requestId is not { } id)
        {
            return null;
        }
        var job = await db.Jobs.FindAsync([id], cancellationToken);
        if (job is not null && job.State == JobStates.Queued)
        {
            job.State = JobStates.Running;
        }
        return job;
    }

    /// <summary>The job's document under <paramref name="key"/>, created (queued) when the job has not seen it yet — and then
    /// announced with <c>document-started</c> when <paramref name="announce"/>. Title and URL fill in when first known.</summary>
    private async Task<JobDocument> DocumentOfAsync(IngestJob job, string key, string? documentId, string title, string url, bool announce,
        CancellationToken cancellationToken)
    {
        var document = await db.JobDocuments.FindAsync([job.Id, key], cancellationToken);
        if (document is null)
        {
            document = new JobDocument { JobId = job.Id, Key = key, DocumentId = documentId, Title = title, Url = url };
            db.JobDocuments.Add(document);
            job.DocumentsUnfinished++;
            if (announce && documentId is not null)
            {
                Emit(job, JobEventTypes.DocumentStarted, new JobEventData.DocumentStarted(documentId, title, url));
            }
            return document;
        }
        if (document.Title.Length == 0)
        {
            document.Title = title;
        }
        if (document.Url.Length == 0)
        {
            document.Url = url;
        }
        return document;
    }

    private void Fail(IngestJob job, JobDocument document, string stage, string reason)
    {
        if (document.IsFinished)
        {
            return;
        }
        AddError(document, stage, reason);
        Finish(job, document, JobDocumentStates.Failed);
        Emit(job, JobEventTypes.DocumentFailed, new JobEventData.DocumentFailed(document.DocumentId, document.Title, stage, reason));
    }

    private static void Finish(IngestJob job, JobDocument document, string state)
    {
        document.State = state;
        job.DocumentsUnfinished--;
        if (state == JobDocumentStates.Done)
        {
            job.DocumentsDone++;
        }
        else
        {
            job.DocumentsFailed++;
        }
    }

    /// <summary>Ends the job once its crawl is complete and no document is unfinished: <c>done</c> when nothing failed,
    /// <c>failed</c> when nothing succeeded, <c>partial</c> otherwise.</summary>
    private void Complete(IngestJob job)
    {
        if (!job.CrawlCompleted || job.DocumentsUnfinished > 0 || job.FinishedAt is not null)
        {
            return;
        }
        job.State = job.DocumentsFailed == 0 ? JobStates.Done : job.DocumentsDone == 0 ? JobStates.Failed : JobStates.Partial;
        job.FinishedAt = time.GetUtcNow();
        Emit(job, JobEventTypes.JobDone, new JobEventData.JobDone(job.Id, job.State, job.DocumentsDone + job.DocumentsFailed, job.DocumentsFailed));
    }

    private void Emit<T>(IngestJob job, string type, T data)
    {
        job.LastSequence++;
        db.JobEvents.Add(new JobEvent
        {
            JobId = job.Id,
            Sequence = job.LastSequence,
            Type = type,
            Data = JsonSerializer.Serialize(data, Json),
            CreatedAt = time.GetUtcNow(),
        });
    }

    private static void Count(JobDocument document, int passagesDone, int passagesTotal, int imagesDone, int imagesFailed, int imagesTotal)
    {
        document.PassagesDone = Math.Max(document.PassagesDone, passagesDone);
        document.PassagesTotal = Math.Max(document.PassagesTotal, passagesTotal);
        document.ImagesDone = Math.Max(document.ImagesDone, imagesDone);
        document.ImagesFailed = Math.Max(document.ImagesFailed, imagesFailed);
        document.ImagesTotal = Math.Max(document.ImagesTotal, imagesTotal);
    }

    private static void AddError(JobDocument document, string stage, string reason)
    {
        var errors = JsonSerializer.Deserialize<List<JobDocumentError>>(document.Errors, Json) ?? [];
        if (!errors.Contains(new JobDocumentError(stage, reason)))
        {
            errors.Add(new JobDocumentError(stage, reason));
            document.Errors = JsonSerializer.Serialize(errors, Json);
        }
    }

    internal static PassageCounts Passages(JobDocument document) => new(document.PassagesDone, document.PassagesTotal);

    internal static ImageCounts Images(JobDocument document) => new(document.ImagesDone, document.ImagesFailed, document.ImagesTotal);

    private static DateTimeOffset Latest(DateTimeOffset? a, DateTimeOffset b) => a is { } value && value > b ? value : b;
}
