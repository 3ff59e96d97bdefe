using System.Text;
using AspireMmRag.Gateway.Model;
using Microsoft.Extensions.AI;

namespace AspireMmRag.Gateway.Answering;

/// <summary>The messages sent to the language model: instructions (system), the earlier turns, then one user message with
/// the numbered sources, the numbered images and the question.</summary>
public static class AnswerPrompt
{
    /// <summary>Earlier turns sent at most (the newest ones).</summary>
    public const int MaxHistoryTurns = 6;

    /// <summary>Characters of one earlier turn sent at most; a longer turn is cut and ends with an ellipsis.</summary>
    public const int MaxHistoryTurnLength = 1500;

    public const string SystemInstructions =
        """
        You answer questions using only the numbered sources and images given with the question.
        - Use only facts stated in the sources. Do not use prior knowledge and do not guess.
        - After each statement, cite the sources it comes from by number in square brackets, for example [1] or [2][3].
        - If an image helps to answer, name it by its label, for example [I1].
        - If the sources do not contain the answer, say plainly that the sources do not contain it, and do not answer from memory.
        - Answer in the language of the question, concisely, in plain sentences.
        """;

    public static IList<ChatMessage> Build(AnswerInput input)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, SystemInstructions) };
        foreach (var turn in input.History.TakeLast(MaxHistoryTurns))
        {
            var role = turn.Role?.Trim().ToLowerInvariant() switch
            {
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => (ChatRole?)null,
            };
            if (role is { } known && !string.IsNullOrWhiteSpace(turn.Content))
            {
                messages.Add(new ChatMessage(known, Shorten(turn.Content.Trim(), MaxHistoryTurnLength)));
            }
        }
        messages.Add(new ChatMessage(ChatRole.User, UserMessage(input)));
        return messages;
    }

    /// <summary>The sources block and the question, as the final user message.</summary>
    public static string UserMessage(AnswerInput input)
    {
        var text = new StringBuilder();
        text.AppendLine("Sources:");
        if (input.Passages.Count == 0)
        {
            text.AppendLine("(no sources were found)");
        }
        for (var i = 0; i < input.Passages.Count; i++)
        {
            var passage = input.Passages[i];
            text.Append('[').Append(i + 1).Append("] ").AppendLine(Heading(passage.Title, passage.Section));
            text.AppendLine(passage.Text.Trim());
            text.AppendLine();
        }

        if (input.Images.Count > 0)
        {
            text.AppendLine("Images:");
            for (var i = 0; i < input.Images.Count; i++)
            {
                var image = input.Images[i];
                var caption = string.IsNullOrWhiteSpace(image.Caption) ? "(no caption)" : OneLine(image.Caption);
                text.Append("[I").Append(i + 1).Append("] ").Append(caption)
                    .Append(" (").Append(Heading(image.DocumentTitle, image.Section)).AppendLine(")");
            }
            text.AppendLine();
        }

        text.Append("Question: ").Append(input.Question.Trim());
        return text.ToString();
    }

    private static string Heading(string title, string section) =>
        string.IsNullOrWhiteSpace(section) ? OneLine(title) : $"{OneLine(title)} › {OneLine(section)}";

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Shorten(string text, int maxLength) =>
        text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength - 1).TrimEnd(), "…");
}
