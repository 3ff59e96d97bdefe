using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Tests.Answering;

public sealed class CitationParserTests
{
    // Three passages and two images (I1 = "img-a", I2 = "img-b").
    private static readonly IReadOnlyList<ImageHit> Images =
        [AnswerTestData.Image("img-a", "first"), AnswerTestData.Image("img-b", "second")];

    public static TheoryData<string, int[], string[]> Cases => new()
    {
        { "Helsinki has a fortress [2].", [2], [] },
        { "It is old [1, 3].", [1, 3], [] },
        { "It is old [3][1].", [3, 1], [] },
        { "Twice [2] and again [2], then [1].", [2, 1], [] },
        { "Ranges count [1-3].", [1, 2, 3], [] },
        { "An en dash range [2–3].", [2, 3], [] },
        { "Spaces inside [ 2 ] and [1 ,3 ].", [2, 1, 3], [] },
        { "Semicolons [1; 2].", [1, 2], [] },
        { "Not given: [0], [4], [12], [-1].", [], [] },
        { "A range past the end [2-9] keeps the given ones.", [2, 3], [] },
        { "A backwards range [3-1] is no citation.", [], [] },
        { "Images [I1] and [i2].", [], ["img-a", "img-b"] },
        { "Image first [I2] then [I1] and [I2] again.", [], ["img-b", "img-a"] },
        { "Not given images [I0] [I3].", [], [] },
        { "Mixed [1, I2] and [I1][3].", [1, 3], ["img-b", "img-a"] },
        { "Space after I [I 1].", [], ["img-a"] },
        { "Not citations: [a], [1a], [see 1], [^1], [1.5], (1), [](x).", [], [] },
        { "Markdown link [text](https://example.com/1) and code arr[10].", [], [] },
        { "", [], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parses_citations_and_images(string answer, int[] citations, string[] images)
    {
        var use = CitationParser.Parse(answer, passageCount: 3, Images);

        Assert.Equal(citations, use.Citations);
        Assert.Equal(images, use.ImageIds);
    }

    [Fact]
    public void The_same_image_under_two_numbers_is_used_once()
    {
        IReadOnlyList<ImageHit> images = [AnswerTestData.Image("same", "one"), AnswerTestData.Image("same", "two")];

        var use = CitationParser.Parse("[I2] and [I1]", passageCount: 1, images);

        Assert.Equal(["same"], use.ImageIds);
    }

    [Fact]
    public void With_no_sources_nothing_is_cited()
    {
        var use = CitationParser.Parse("[1] [I1]", passageCount: 0, []);

        Assert.Empty(use.Citations);
        Assert.Empty(use.ImageIds);
    }

    [Fact]
    public async Task The_generator_reports_the_citations_of_the_streamed_answer()
    {
        // Split across chunks: "[" in one, "2]" in the next.
        var chat = new ScriptedChatClient("Suomenlinna is a sea fortress [", "2] shown in [I1]", "; the town dates from 1550 [1][9].");
        var generator = new AnswerGenerator(Options.Create(new LlmOptions { Provider = LlmProvider.Ollama, Endpoint = "http://ollama:11434" }),
            new AnswerTelemetry(new TestMeterFactory()), NullLogger<AnswerGenerator>.Instance, chat);

        var events = await AnswerTestData.CollectAsync(generator.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));

        var completed = AnswerTestData.AssertWellFormed(events);
        Assert.Equal(AnswerModes.Llm, completed.Mode);
        Assert.Equal([2, 1], completed.UsedCitations);
        Assert.Equal(["sha256-suomenlinna"], completed.UsedImageIds);
    }
}
