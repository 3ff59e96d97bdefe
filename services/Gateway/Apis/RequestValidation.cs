using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Retrieval;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Apis;

/// <summary>Checks request bodies and turns them into a <see cref="RetrievalQuery"/>; the errors are keyed by the camelCase
/// property that is wrong.</summary>
public sealed class RequestValidation(IOptions<GatewayOptions> gatewayOptions, IOptions<RetrievalOptions> retrievalOptions)
{
    private GatewayOptions Limits => gatewayOptions.Value;
    private RetrievalOptions Defaults => retrievalOptions.Value;

    public const int MaxTopK = 20;
    public const int MaxImageTopK = 10;

    public (RetrievalQuery? Query, IReadOnlyList<ChatTurn> History, Dictionary<string, string[]> Errors) Ask(AskRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is null)
        {
            errors["body"] = ["The body must be a JSON object with a 'question'."];
            return (null, [], errors);
        }
        var text = Text(request.Question, "question", errors);
        var topK = Range(request.TopK ?? Defaults.DefaultTopK, 1, MaxTopK, "topK", errors);
        var imageTopK = Range(request.ImageTopK ?? Defaults.DefaultImageTopK, 0, MaxImageTopK, "imageTopK", errors);
        var documentIds = Values(request.DocumentIds, "documentIds", 512, errors);
        var sources = Values(request.Sources, "sources", 64, errors);
        var history = History(request.History, errors);
        return errors.Count > 0 ? (null, [], errors) : (new RetrievalQuery(text!, topK, imageTopK, documentIds, sources, Defaults.PassageMode), history, errors);
    }

    public (RetrievalQuery? Query, string Modality, Dictionary<string, string[]> Errors) Search(SearchRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is null)
        {
            errors["body"] = ["The body must be a JSON object with a 'query'."];
            return (null, "", errors);
        }
        var text = Text(request.Query, "query", errors);
        var topK = Range(request.TopK ?? Defaults.DefaultTopK, 1, MaxTopK, "topK", errors);
        var imageTopK = Range(request.ImageTopK ?? Defaults.DefaultImageTopK, 0, MaxImageTopK, "imageTopK", errors);
        var modality = (request.Modality ?? "both").ToLowerInvariant();
        if (modality is not ("text" or "image" or "both"))
        {
            errors["modality"] = ["Must be 'text', 'image' or 'both'."];
        }
        var mode = Defaults.PassageMode;
        if (request.Mode is not null && !PassageSearchModes.TryParse(request.Mode, out mode))
        {
            errors["mode"] = ["Must be 'hybrid', 'dense' or 'bm25'."];
        }
        var documentIds = Values(request.DocumentIds, "documentIds", 512, errors);
        var sources = Values(request.Sources, "sources", 64, errors);
        if (modality == "text")
        {
            imageTopK = 0;
        }
        return errors.Count > 0 ? (null, modality, errors) : (new RetrievalQuery(text!, topK, imageTopK, documentIds, sources, mode), modality, errors);
    }

    private string? Text(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[name] = ["Must not be empty."];
            return null;
        }
        var text = value.Trim();
        if (text.Length > Limits.MaxQuestionLength)
        {
            errors[name] = [$"Must be at most {Limits.MaxQuestionLength} characters (got {text.Length})."];
            return null;
        }
        return text;
    }

    private static int Range(int value, int min, int max, string name, Dictionary<string, string[]> errors)
    {
        if (value < min || value > max)
        {
            errors[name] = [$"Must be between {min} and {max} (got {value})."];
        }
        return value;
    }

    private IReadOnlyCollection<string>? Values(IReadOnlyList<string>? values, string name, int maxLength, Dictionary<string, string[]> errors)
    {
        if (values is not { Count: > 0 })
        {
            return null;
        }
        if (values.Count > Limits.MaxFilterValues)
        {
            errors[name] = [$"At most {Limits.MaxFilterValues} values (got {values.Count})."];
            return null;
        }
        if (values.Any(v => string.IsNullOrWhiteSpace(v) || v.Length > maxLength))
        {
            errors[name] = [$"Each value must be non-empty and at most {maxLength} characters."];
            return null;
        }
        return values.Distinct(StringComparer.Ordinal).ToArray();
    }

    private IReadOnlyList<ChatTurn> History(IReadOnlyList<ChatTurn>? history, Dictionary<string, string[]> errors)
    {
        if (history is not { Count: > 0 })
        {
            return [];
        }
        var turns = history.TakeLast(Limits.MaxHistoryTurns).ToList();
        foreach (var turn in turns)
        {
            if (turn is null || turn.Role is not ("user" or "assistant") || string.IsNullOrWhiteSpace(turn.Content) || turn.Content.Length > Limits.MaxQuestionLength)
            {
                errors["history"] = [$"Each turn needs a role ('user' or 'assistant') and a content of 1 to {Limits.MaxQuestionLength} characters."];
                return [];
            }
        }
        return turns;
    }
}
