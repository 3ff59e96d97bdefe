using AspireMmRag.Gateway.Images;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Retrieval;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Apis;

/// <summary><c>POST /api/search</c> (text → passages and images, no language model) and <c>POST /api/search/image</c>
/// (an uploaded image → similar images and their documents' passages).</summary>
public static class SearchApi
{
    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/search").WithTags("Search").RequireApiKey(ApiAccess.Read);
        group.MapPost("/", SearchAsync)
            .WithName("Search")
            .WithSummary("Passages and images for a query, without a language model")
            .Produces<SearchResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/image", SearchByImageAsync)
            .WithName("SearchByImage")
            .WithSummary("Images similar to an uploaded image, and passages of their documents")
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<SearchResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> SearchAsync(SearchRequest? request, HttpContext context, RequestValidation validation, Retriever retriever)
    {
        var (query, modality, errors) = validation.Search(request);
        if (query is null)
        {
            return TypedResults.ValidationProblem(errors, detail: AskApi.ValidationDetail(errors));
        }
        var result = await retriever.RetrieveAsync(query, context.RequestAborted);
        return TypedResults.Ok(new SearchResponse(modality == "image" ? [] : result.Passages, result.Images, result.Mode.Name()));
    }

    private static async Task<IResult> SearchByImageAsync(HttpContext context, ImageSearcher searcher, IOptions<GatewayOptions> options)
    {
        var limits = options.Value;
        var request = context.Request;
        if (request.ContentLength > limits.MaxUploadBytes + 64 * 1024)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"The upload is {request.ContentLength} bytes; at most {limits.MaxUploadBytes} are accepted.");
        }
        if (!request.HasFormContentType)
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Not a form upload", "Send multipart/form-data with the image in the field 'file'.");
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException ex)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"{ex.Message} At most {limits.MaxUploadBytes} bytes are accepted.");
        }
        var topK = 4;
        if (form.TryGetValue("topK", out var topKValue)
            && (!int.TryParse(topKValue, out topK) || topK < 1 || topK > RequestValidation.MaxTopK))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", $"topK must be between 1 and {RequestValidation.MaxTopK}.");
        }
        if (form.Files.GetFile("file") is not { } file)
        {
            return Problem(StatusCodes.Status400BadRequest, "No file", "The form has no field 'file'.");
        }
        if (file.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Empty file", "The uploaded file is empty.");
        }
        if (file.Length > limits.MaxUploadBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"The file is {file.Length} bytes; at most {limits.MaxUploadBytes} are accepted.");
        }
        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(bytes, context.RequestAborted);
        }
        if (UploadedImage.Problem(bytes) is { } problem)
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Not a decodable image", problem);
        }
        return TypedResults.Ok(await searcher.SearchAsync(bytes, topK, context.RequestAborted));
    }

    internal static IResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
