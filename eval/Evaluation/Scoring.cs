using System.Text.RegularExpressions;

namespace AspireMmRag.Evaluation;

/// <summary>What one answer scored against its labels.</summary>
public sealed record QuestionResult(
    GoldenQuestion Question, AskAnswer Answer, int? DocumentRank, bool SectionHit, bool? ImageHit, bool ImageShown, bool CitesExpected,
    bool SaysNotInSources);

public static partial class Scoring
{
    /// <summary>The rule for "answered: not in the sources", printed with the figures.</summary>
    public const string NotInSourcesRule =
        "an answer counts as \"not in the sources\" when it cites no passage (usedCitations empty) or its text says the sources do " +
        "not hold the answer (e.g. \"do not contain an answer\", \"not in the sources\", \"no sources were found\", \"cannot answer\")";

    public static QuestionResult Score(GoldenQuestion question, AskAnswer answer, string? expectedImageId)
    {
        int? rank = null;
        var sectionHit = false;
        if (question.DocumentId is { } documentId)
        {
            for (var i = 0; i < answer.Citations.Count; i++)
            {
                var citation = answer.Citations[i];
                if (citation.DocumentId == documentId)
                {
                    rank ??= i + 1;
                    sectionHit |= question.Section is null || citation.Section == question.Section;
                }
            }
        }
        bool? imageHit = expectedImageId is null ? null : answer.Images.Any(image => image.ImageId == expectedImageId);
        var cited = question.DocumentId is not null && answer.Citations
            .Where(citation => answer.UsedCitations.Contains(citation.Number))
            .Any(citation => citation.DocumentId == question.DocumentId);
        return new QuestionResult(question, answer, rank, sectionHit, imageHit, answer.Images.Count > 0, cited, SaysNotInSources(answer));
    }

    public static bool SaysNotInSources(AskAnswer answer) => answer.UsedCitations.Count == 0 || NotInSourcesText().IsMatch(answer.Answer);

    // The extractive answerer's "the retrieved sources do not contain an answer" and "no sources were found", and the ways a
    // language model told to "say when the sources do not hold the answer" tends to put it.
    [GeneratedRegex(
        @"(do|does|did)\s*(not|n['’]t)\s+(contain|hold|include|provide|mention|say|answer|cover|have)|not\s+(in|found\s+in|contained\s+in|mentioned\s+in)\s+the\s+(provided\s+|given\s+|retrieved\s+)?(sources|passages|context|documents)|no\s+sources\s+were\s+found|(cannot|can['’]t|unable\s+to)\s+(answer|find|determine)|no\s+information\s+(about|on)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NotInSourcesText();
}
