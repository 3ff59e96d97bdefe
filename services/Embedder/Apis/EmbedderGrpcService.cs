using AspireMmRag.Embedder.Inference;
using AspireMmRag.Embedder.Inference.Clip;
using AspireMmRag.Embedder.Inference.Passage;
using AspireMmRag.Embedder.Models;
using AspireMmRag.Embedder.Options;
using AspireMmRag.Embedding.Grpc;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Embedder.Apis;

/// <summary>The gRPC surface (protos/embedder.proto): validates requests and hands them to the batched models.
/// Errors are mapped to gRPC status codes by <see cref="EmbedderExceptionInterceptor"/>; requests that do not parse are
/// refused by the marshallers of <see cref="EmbedderBinding"/>.</summary>
[BindServiceMethod(typeof(EmbedderBinding), nameof(EmbedderBinding.BindService))]
public sealed class EmbedderGrpcService(
    EmbeddingModels models,
    ImageDecoder images,
    IOptions<RequestLimitsOptions> limits,
    ReplicaIdentity replica) : Embedding.Grpc.Embedder.EmbedderBase
{
    public override async Task<EmbedResponse> EmbedTexts(EmbedTextsRequest request, ServerCallContext context)
    {
        var texts = ValidateTexts(request.Texts, limits.Value);
        var embeddings = NormalizeModelName(request.Model) switch
        {
            PassageModel.Name => await models.EmbedPassagesAsync(texts, request.Kind == TextKind.Query, context.CancellationToken),
            ClipModel.Name => [.. (await models.EmbedClipTextsAsync(texts, context.CancellationToken)).Select(vector => new ItemEmbedding(vector, false))],
            _ => throw new InvalidInputException($"Unknown model '{request.Model}'. Text models: '{PassageModel.Name}', '{ClipModel.Name}'."),
        };
        return ToResponse(NormalizeModelName(request.Model), embeddings);
    }

    public override async Task<EmbedResponse> EmbedImages(EmbedImagesRequest request, ServerCallContext context)
    {
        var model = string.IsNullOrEmpty(request.Model) ? ClipModel.Name : NormalizeModelName(request.Model);
        if (model != ClipModel.Name)
        {
            throw new InvalidInputException($"Unknown image model '{request.Model}'. Image model: '{ClipModel.Name}'.");
        }
        if (request.Images.Count == 0)
        {
            throw new InvalidInputException("The request has no images.");
        }
        if (request.Images.Count > limits.Value.MaxImagesPerRequest)
        {
            throw new InvalidInputException($"The request has {request.Images.Count} images; at most {limits.Value.MaxImagesPerRequest} are allowed per call.");
        }
        // Fail before spending CPU or memory on decoding: CLIP must be loaded and the lane's byte budget must take the tensors.
        using var reserved = models.ReserveClipImages(request.Images.Count);

        var tensors = await images.PreprocessAsync(request.Images.Select(image => image.Memory).ToArray(), context.CancellationToken);
        var vectors = await models.EmbedClipImagesAsync(tensors, context.CancellationToken);
        return ToResponse(ClipModel.Name, [.. vectors.Select(vector => new ItemEmbedding(vector, false))]);
    }

    public override Task<DescribeModelsResponse> DescribeModels(DescribeModelsRequest request, ServerCallContext context)
    {
        var response = new DescribeModelsResponse { Replica = replica.Id };
        response.Models.AddRange(models.Describe().Select(model =>
        {
            var info = new ModelInfo
            {
                Name = model.Name,
                ModelId = model.ModelId,
                Dimension = model.Dimension,
                ExecutionProvider = model.ExecutionProvider,
                MaxTokens = model.MaxTokens,
                Available = model.Available,
                UnavailableReason = model.UnavailableReason,
            };
            info.Modalities.AddRange(model.Modalities);
            return info;
        }));
        return Task.FromResult(response);
    }

    private static string NormalizeModelName(string model) => model.Trim().ToLowerInvariant();

    private static string[] ValidateTexts(IReadOnlyList<string> texts, RequestLimitsOptions limits)
    {
        if (texts.Count == 0)
        {
            throw new InvalidInputException("The request has no texts.");
        }
        if (texts.Count > limits.MaxTextsPerRequest)
        {
            throw new InvalidInputException($"The request has {texts.Count} texts; at most {limits.MaxTextsPerRequest} are allowed per call.");
        }
        for (var i = 0; i < texts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                throw new InvalidInputException($"Text {i} is empty.");
            }
            if (texts[i].Length > limits.MaxTextCharacters)
            {
                throw new InvalidInputException($"Text {i} has {texts[i].Length} characters; at most {limits.MaxTextCharacters} are allowed (split long documents into chunks).");
            }
        }
        return [.. texts];
    }

    private EmbedResponse ToResponse(string model, ItemEmbedding[] embeddings)
    {
        var response = new EmbedResponse { Model = model, Dimension = embeddings[0].Vector.Length, Replica = replica.Id };
        foreach (var embedding in embeddings)
        {
            var message = new Vector { Truncated = embedding.Truncated };
            message.Values.AddRange(embedding.Vector);
            response.Vectors.Add(message);
            response.TruncatedCount += embedding.Truncated ? 1 : 0;
        }
        return response;
    }
}
