using AspireMmRag.Gateway.Catalog;
using AspireMmRag.Gateway.Extensions;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Messaging;
using AspireMmRag.Gateway.Ingestion;

namespace AspireMmRag.Gateway.Apis;

/// <summary><c>GET /api/documents</c> (the indexed documents, paged and filtered), <c>GET /api/documents/{documentId}</c>
/// (one, with its sections and images) and <c>DELETE /api/documents/{documentId}</c> (asks the indexer to remove it). Document
/// ids hold <c>:</c> and <c>/</c>; they may be sent URL-escaped or not.</summary>
public static class DocumentsApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/documents").WithTags("Documents");
        if (app.ServiceProvider.GetRequiredService<IngestionAvailability>() is { IsAvailable: false } unavailable)
        {
            group.MapUnavailable(unavailable.Reason);
            return app;
        }
        group.MapGet("/", ListAsync)
            .RequireApiKey(ApiAccess.Read)
            .WithName("ListDocuments")
            .WithSummary("The indexed documents, ordered by id; filter by source and a title substring, page with after")
            .Produces<DocumentPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{**documentId}", GetAsync)
            .RequireApiKey(ApiAccess.Read)
            .WithName("GetDocument")
            .WithSummary("One indexed document with its sections and images")
            .Produces<DocumentDetail>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{**documentId}", DeleteAsync)
            .RequireApiKey(ApiAccess.Write)
            .WithName("DeleteDocument")
            .WithSummary("Removes a document from the index; it leaves the catalog once the indexer has removed it")
            .Produces<DocumentDeleteAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> ListAsync(string? source, string? title, string? after, int? limit, DocumentCatalog documents,
        CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return SearchApi.Problem(StatusCodes.Status400BadRequest, "Invalid limit", $"limit must be between 1 and {MaxLimit}.");
        }
        if (source is { Length: > 0 } && source is not (DocumentSources.Wikipedia or DocumentSources.Folder))
        {
            return SearchApi.Problem(StatusCodes.Status400BadRequest, "Invalid source", $"source is '{DocumentSources.Wikipedia}' or '{DocumentSources.Folder}'.");
        }
        if (title?.Length > 500 || after?.Length > 1024)
        {
            return SearchApi.Problem(StatusCodes.Status400BadRequest, "Invalid filter", "title has at most 500 characters and after at most 1024.");
        }
        return TypedResults.Ok(await documents.ListAsync(source, title, after, limit ?? DefaultLimit, cancellationToken));
    }

    private static async Task<IResult> GetAsync(string documentId, DocumentCatalog documents, CancellationToken cancellationToken)
    {
        var id = Uri.UnescapeDataString(documentId);
        return await documents.GetAsync(id, cancellationToken) is { } document ? TypedResults.Ok(document) : UnknownDocument(id);
    }

    private static async Task<IResult> DeleteAsync(string documentId, DocumentCatalog documents, CommandPublisher publisher,
        CancellationToken cancellationToken)
    {
        var id = Uri.UnescapeDataString(documentId);
        if (!await documents.IsListedAsync(id, cancellationToken))
        {
            return UnknownDocument(id);
        }
        await publisher.PublishAsync(new DocumentDeleteRequested { DocumentId = id }, "indexer", cancellationToken);
        return TypedResults.Accepted($"/api/documents/{Uri.EscapeDataString(id)}", new DocumentDeleteAccepted(id));
    }

    private static IResult UnknownDocument(string documentId) =>
        SearchApi.Problem(StatusCodes.Status404NotFound, "Unknown document", $"No document '{documentId}' is in the catalog.");
}
