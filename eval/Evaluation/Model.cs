namespace AspireMmRag.Evaluation;

/// <summary>eval/golden/questions.json.</summary>
public sealed record GoldenSet(string Root, IReadOnlyList<GoldenQuestion> Questions);

/// <summary>One labelled question. <see cref="DocumentId"/> null: the corpus does not answer it. <see cref="Image"/>: a file
/// under the golden folder (its media id is the sha256 of its bytes), null when no image fits the question.</summary>
public sealed record GoldenQuestion(string Id, string Question, string? DocumentId, string? Section, string? Image)
{
    public bool Answerable => DocumentId is not null;
}

// The parts of the gateway's JSON this tool reads (services/Gateway/Model), camelCase on the wire.

public sealed record AskBody(string Question, int TopK, int ImageTopK);

public sealed record AskAnswer(
    string Answer, string Mode, string? Model, IReadOnlyList<AskCitation> Citations, IReadOnlyList<AskImage> Images,
    IReadOnlyList<int> UsedCitations, IReadOnlyList<string> UsedImageIds, IReadOnlyList<string> Warnings, AskTimings? Timings);

public sealed record AskCitation(int Number, string DocumentId, string Title, string Section, string Text, double Score);

public sealed record AskImage(string ImageId, string DocumentId, string Section, string Caption, double Score);

public sealed record AskTimings(double EmbedMs, double SearchMs, double? FirstTokenMs, double TotalMs);

public sealed record IngestBody(string Folder);

public sealed record IngestAccepted(Guid JobId);

public sealed record JobDone(Guid JobId, string State, int Documents, int Failed);

public sealed record DocumentDetail(string DocumentId, string Title, int Passages, IReadOnlyList<string> Sections);

public sealed record ProblemDetails(string? Title, string? Detail, int? Status);
