using System.Text.Json;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Messaging;
using Microsoft.EntityFrameworkCore;

namespace AspireMmRag.Gateway.Catalog;

/// <summary>The indexed documents: paged by document id, filtered by source and a case-insensitive title substring.</summary>
public sealed class DocumentCatalog(CatalogDbContext db)
{
    public async Task<DocumentPage> ListAsync(string? source, string? title, string? after, int limit, CancellationToken cancellationToken)
    {
        var query = db.Documents.AsNoTracking().Where(d => d.IndexedAt != null && d.RemovedAt == null);
        if (!string.IsNullOrEmpty(source))
        {
            query = query.Where(d => d.Source == source);
        }
        if (!string.IsNullOrEmpty(title))
        {
            var key = title.ToLowerInvariant();
            query = query.Where(d => d.TitleKey.Contains(key));
        }
        var total = await query.CountAsync(cancellationToken);
        if (!string.IsNullOrEmpty(after))
        {
            query = query.Where(d => string.Compare(d.DocumentId, after) > 0);
        }
        var page = await query.OrderBy(d => d.DocumentId).Take(limit + 1).ToListAsync(cancellationToken);
        var next = page.Count > limit ? page[limit - 1].DocumentId : null;
        var items = page.Take(limit)
            .Select(d => new DocumentSummary(d.DocumentId, d.Title, d.Url, d.Source, d.Revision, d.Passages, d.Images, d.IndexedAt))
            .ToArray();
        return new DocumentPage(items, total, next);
    }

    public async Task<DocumentDetail?> GetAsync(string documentId, CancellationToken cancellationToken)
    {
        var d = await db.Documents.AsNoTracking().FirstOrDefaultAsync(x => x.DocumentId == documentId, cancellationToken);
        if (d is null || !d.IsListed)
        {
            return null;
        }
        var sections = JsonSerializer.Deserialize<string[]>(d.Sections, CatalogProjection.Json) ?? [];
        var images = JsonSerializer.Deserialize<IndexedImage[]>(d.ImageList, CatalogProjection.Json) ?? [];
        return new DocumentDetail(d.DocumentId, d.Title, d.Url, d.Source, d.Revision, d.Passages, d.IndexedAt, sections,
            images.Select(image => new DocumentImageView(image.MediaRef, $"/api/images/{image.MediaRef}", image.Caption, image.Attribution,
                image.License, image.Section, image.SourceUrl, image.DescriptionUrl, image.Width, image.Height)).ToArray());
    }

    public Task<bool> IsListedAsync(string documentId, CancellationToken cancellationToken) =>
        db.Documents.AnyAsync(d => d.DocumentId == documentId && d.IndexedAt != null && d.RemovedAt == null, cancellationToken);
}
