using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Model;

namespace AspireMmRag.Gateway.Tests.Answering;

/// <summary>Passages, images and questions for the answer tests, and a helper that reads a whole answer stream.</summary>
internal static class AnswerTestData
{
    public const string HelsinkiQuestion = "What are some of the popular tourist attractions in Helsinki?";

    public static Citation Passage(int number, string title, string section, string text) => new()
    {
        Number = number,
        DocumentId = $"wikipedia:en:{title}",
        Title = title,
        Url = $"https://en.wikipedia.org/wiki/{title}",
        Section = section,
        ChunkId = $"chunk-{number}",
        Text = text,
        Score = 1.0 / number,
    };

    public static ImageHit Image(string id, string caption, string title = "Helsinki", string section = "Tourism") => new()
    {
        ImageId = id,
        Url = $"/api/images/{id}",
        SourceUrl = $"https://upload.wikimedia.org/{id}.jpg",
        DescriptionUrl = $"https://commons.wikimedia.org/wiki/File:{id}.jpg",
        Caption = caption,
        Attribution = "Someone",
        License = "CC BY-SA 4.0",
        DocumentId = $"wikipedia:en:{title}",
        DocumentTitle = title,
        DocumentUrl = $"https://en.wikipedia.org/wiki/{title}",
        Section = section,
        Score = 0.5,
    };

    public static IReadOnlyList<Citation> HelsinkiPassages { get; } =
    [
        Passage(1, "Helsinki", "History",
            "Helsinki was established as a trading town by King Gustav I of Sweden in 1550. The town grew slowly at first."),
        Passage(2, "Helsinki", "Tourism",
            "Popular tourist attractions in Helsinki include the Suomenlinna sea fortress, the Market Square and Temppeliaukio Church. " +
            "Many visitors also take a ferry to the islands. The city hosts the Helsinki Festival every August."),
        Passage(3, "Helsinki", "Climate",
            "The climate of Helsinki is humid continental. Winters are cold and summers are mild."),
    ];

    public static IReadOnlyList<ImageHit> HelsinkiImages { get; } =
    [
        Image("sha256-suomenlinna", "Suomenlinna sea fortress in summer"),
        Image("sha256-cathedral", "Helsinki Cathedral at Senate Square", section: "Architecture"),
    ];

    public static AnswerInput Helsinki(IReadOnlyList<ChatTurn>? history = null) =>
        new(HelsinkiQuestion, history ?? [], HelsinkiPassages, HelsinkiImages);

    public static async Task<List<AnswerEvent>> CollectAsync(IAsyncEnumerable<AnswerEvent> events)
    {
        var all = new List<AnswerEvent>();
        await foreach (var update in events)
        {
            all.Add(update);
        }
        return all;
    }

    /// <summary>Checks the stream's shape (deltas, then exactly one completion, last) and returns the completion.</summary>
    public static AnswerCompleted AssertWellFormed(IReadOnlyList<AnswerEvent> events)
    {
        Assert.NotEmpty(events);
        var completed = Assert.IsType<AnswerCompleted>(events[^1]);
        Assert.All(events.Take(events.Count - 1), e => Assert.IsType<AnswerDelta>(e));
        Assert.True(events.Count >= 2, "at least one delta comes before the completion");
        Assert.Equal(string.Concat(events.OfType<AnswerDelta>().Select(d => d.Text)), completed.Answer);
        Assert.False(string.IsNullOrWhiteSpace(completed.Answer));
        return completed;
    }
}
