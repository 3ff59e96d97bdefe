using AspireMmRag.Gateway.Images;
using AspireMmRag.Media;
using Microsoft.Net.Http.Headers;

namespace AspireMmRag.Gateway.Apis;

/// <summary><c>GET /api/images/{imageId}</c>: a stored image by its media reference, cacheable forever (the id is the hash
/// of the bytes); <c>?width=N</c> gives a resized copy.</summary>
public static class ImagesApi
{
    private const string CacheControl = "public, max-age=31536000, immutable";

    public static IEndpointRouteBuilder MapImagesApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/images/{imageId}", [HttpMethods.Get, HttpMethods.Head], GetImageAsync)
            .RequireApiKey(ApiAccess.Read)
            .WithName("GetImage")
            .WithTags("Images")
            .WithSummary("A stored image (optionally resized to a width of 32..1024 pixels)")
            .Produces(StatusCodes.Status200OK, null, "image/png", "image/jpeg", "image/webp")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> GetImageAsync(string imageId, int? width, HttpContext context, IMediaStore media, ImageResizer resizer)
    {
        if (!MediaReference.IsValid(imageId))
        {
            return SearchApi.Problem(StatusCodes.Status400BadRequest, "Invalid image id", "An image id is the sha256 of the image: 64 lowercase hex characters.");
        }
        if (width is < ImageResizer.MinWidth or > ImageResizer.MaxWidth)
        {
            return SearchApi.Problem(StatusCodes.Status400BadRequest, "Invalid width", $"width must be between {ImageResizer.MinWidth} and {ImageResizer.MaxWidth}.");
        }
        var etag = new EntityTagHeaderValue(width is null ? $"\"{imageId}\"" : $"\"{imageId}-w{width}\"");
        if (context.Request.GetTypedHeaders().IfNoneMatch.Any(tag => tag.Compare(etag, useStrongComparison: true)))
        {
            SetCacheHeaders(context, etag);
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        var bytes = await media.GetAsync(imageId, context.RequestAborted);
        if (bytes is null)
        {
            return SearchApi.Problem(StatusCodes.Status404NotFound, "Unknown image", $"No image {imageId} is stored.");
        }
        var mimeType = ImageResizer.MimeTypeOf(bytes);
        if (width is { } w)
        {
            (bytes, mimeType) = resizer.Resize(imageId, bytes, mimeType, w);
        }
        SetCacheHeaders(context, etag);
        return TypedResults.Bytes(bytes, mimeType);
    }

    private static void SetCacheHeaders(HttpContext context, EntityTagHeaderValue etag)
    {
        var headers = context.Response.GetTypedHeaders();
        headers.ETag = etag;
        context.Response.Headers.CacheControl = CacheControl;
    }
}
