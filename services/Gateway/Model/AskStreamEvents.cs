namespace AspireMmRag.Gateway.Model;

/// <summary>The Server-Sent Events of <c>POST /api/ask</c> with <c>Accept: text/event-stream</c>, in order:
/// one <c>sources</c>, any number of <c>delta</c>, then <c>done</c> (or <c>error</c>).</summary>
public static class AskEventTypes
{
    public const string Sources = "sources";
    public const string Delta = "delta";
    public const string Done = "done";
    public const string Error = "error";
}

/// <summary><c>sources</c>: what was retrieved, sent before the language model is called.</summary>
public sealed record SourcesEvent(IReadOnlyList<Citation> Citations, IReadOnlyList<ImageHit> Images, IReadOnlyList<string> Warnings);

/// <summary><c>delta</c>: the next piece of answer text.</summary>
public sealed record DeltaEvent(string Text);

/// <summary><c>done</c>: the whole answer and what it used.</summary>
public sealed record DoneEvent
{
    public required string Answer { get; init; }
    public required string Mode { get; init; }
    public string? Model { get; init; }
    public required IReadOnlyList<int> UsedCitations { get; init; }
    public required IReadOnlyList<string> UsedImageIds { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    public required AskTimings Timings { get; init; }
}
