using AspireMmRag.Gateway.Model;

namespace AspireMmRag.Gateway.Answering;

/// <summary>Writes the answer to a question from retrieved sources: with the configured language model, or extractively
/// (retrieval-only) when there is none or it fails before writing anything.</summary>
public interface IAnswerGenerator
{
    /// <summary>Streams <see cref="AnswerDelta"/>s and ends with exactly one <see cref="AnswerCompleted"/>. A failure of the
    /// language model after text was streamed is thrown (the caller reports it); one before any text falls back to the
    /// extractive answer with a warning.</summary>
    IAsyncEnumerable<AnswerEvent> GenerateAsync(AnswerInput input, CancellationToken cancellationToken);
}

/// <summary>The question, the earlier turns (already trimmed to the last 6), and the sources numbered as they are cited:
/// passages <c>[1]..[k]</c>, images <c>[I1]..[Im]</c> in list order.</summary>
public sealed record AnswerInput(string Question, IReadOnlyList<ChatTurn> History, IReadOnlyList<Citation> Passages, IReadOnlyList<ImageHit> Images);

public abstract record AnswerEvent;

public sealed record AnswerDelta(string Text) : AnswerEvent;

public sealed record AnswerCompleted : AnswerEvent
{
    public required string Answer { get; init; }
    public required string Mode { get; init; }
    public string? Model { get; init; }
    public required IReadOnlyList<int> UsedCitations { get; init; }
    public required IReadOnlyList<string> UsedImageIds { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
}
