using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Tests.Answering;

public sealed class ExtractiveAnswererTests
{
    [Fact]
    public void Picks_the_sentence_that_matches_the_question_with_its_number()
    {
        var answer = ExtractiveAnswerer.Answer(AnswerTestData.HelsinkiQuestion, AnswerTestData.HelsinkiPassages);

        Assert.StartsWith(ExtractiveAnswerer.Introduction, answer.Text);
        Assert.Contains("Popular tourist attractions in Helsinki include the Suomenlinna sea fortress, the Market Square and " +
            "Temppeliaukio Church. [2]", answer.Text);
        Assert.DoesNotContain("climate", answer.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal([2], answer.UsedCitations);
    }

    [Fact]
    public void Never_quotes_the_title_and_section_line_a_passage_starts_with()
    {
        // Passages as the indexer stores them: "Title › Section" on the first line, then the text.
        var passages = new List<Citation>
        {
            AnswerTestData.Passage(1, "Sights of Helsinki", "Museums and culture",
                "Sights of Helsinki › Museums and culture\nThe Ateneum in Helsinki holds Finland's national art collection."),
            AnswerTestData.Passage(2, "Sights of Helsinki", "Churches",
                "Sights of Helsinki › Churches\nHelsinki Cathedral towers over Senate Square with its green domes."),
        };

        var answer = ExtractiveAnswerer.Answer("What are some of the popular tourist attractions in Helsinki?", passages);

        Assert.DoesNotContain("›", answer.Text);
        Assert.Contains("The Ateneum in Helsinki holds Finland's national art collection. [1]", answer.Text);
    }

    [Fact]
    public void Every_quoted_sentence_is_in_a_source_verbatim()
    {
        var answer = ExtractiveAnswerer.Answer("When was Helsinki established and what is its climate?", AnswerTestData.HelsinkiPassages);

        var body = answer.Text[ExtractiveAnswerer.Introduction.Length..];
        var quoted = System.Text.RegularExpressions.Regex.Split(body, @" \[\d+\] ?").Where(s => s.Length > 0).ToList();
        Assert.NotEmpty(quoted);
        Assert.All(quoted, sentence => Assert.Contains(AnswerTestData.HelsinkiPassages, p => p.Text.Contains(sentence, StringComparison.Ordinal)));
        Assert.Contains(1, answer.UsedCitations);
        Assert.Contains(3, answer.UsedCitations);
    }

    [Fact]
    public void Takes_at_most_two_sentences_per_passage_and_three_in_all_in_source_order()
    {
        var passages = new List<Citation>
        {
            AnswerTestData.Passage(1, "Saunas", "",
                "Saunas in Finland are common. Finland has millions of saunas. Most saunas in Finland are electric. Saunas are old."),
            AnswerTestData.Passage(2, "More saunas", "", "Lakeside saunas are loved across Finland."),
        };

        var answer = ExtractiveAnswerer.Answer("Tell me about saunas in Finland", passages);

        var numbers = System.Text.RegularExpressions.Regex.Matches(answer.Text, @"\[(\d+)\]").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(3, numbers.Count);
        Assert.Equal(2, numbers.Count(n => n == 1));
        Assert.Equal([1, 1, 2], numbers);
        Assert.Equal([1, 2], answer.UsedCitations);
        Assert.True(answer.Text.IndexOf("Saunas in Finland are common.", StringComparison.Ordinal) <
                    answer.Text.IndexOf("Lakeside saunas", StringComparison.Ordinal));
    }

    [Fact]
    public void When_nothing_matches_it_says_the_sources_do_not_contain_an_answer()
    {
        var answer = ExtractiveAnswerer.Answer("How do penguins navigate underwater?", AnswerTestData.HelsinkiPassages);

        Assert.Equal(ExtractiveAnswerer.NoMatch, answer.Text);
        Assert.Empty(answer.UsedCitations);
    }

    [Fact]
    public void Without_sources_it_says_there_is_no_answer()
    {
        var answer = ExtractiveAnswerer.Answer(AnswerTestData.HelsinkiQuestion, []);

        Assert.Equal(ExtractiveAnswerer.NoSources, answer.Text);
        Assert.Empty(answer.UsedCitations);
    }

    [Theory]
    [InlineData("")]
    [InlineData("???")]
    [InlineData("what is the")]
    [InlineData("Helsinki")]
    public void The_answer_is_never_empty(string question)
    {
        IReadOnlyList<Citation> passages = [AnswerTestData.Passage(1, "T", "", "Helsinki."), .. AnswerTestData.HelsinkiPassages];

        var answer = ExtractiveAnswerer.Answer(question, passages);

        Assert.False(string.IsNullOrWhiteSpace(answer.Text));
        Assert.NotEmpty(answer.Pieces);
    }

    [Fact]
    public void Sentences_split_at_sentence_ends_but_not_after_abbreviations_or_initials()
    {
        var sentences = ExtractiveAnswerer.SplitSentences(
            "Dr. Smith met J. R. Tolkien in St. Andrews in 1950. It rained! Did it?\n## A heading\n\"Quoted.\" Then 3 more.").ToList();

        Assert.Equal(
        [
            "Dr. Smith met J. R. Tolkien in St. Andrews in 1950.",
            "It rained!",
            "Did it?",
            "A heading",
            "\"Quoted.\"",
            "Then 3 more.",
        ], sentences);
    }

    [Fact]
    public void Terms_are_normalized_and_stop_words_dropped()
    {
        Assert.Equal(["cafe", "attraction", "city"], ExtractiveAnswerer.Terms("What are the Café attractions of the city's?"));
        Assert.Equal(["museum", "helsinki"], ExtractiveAnswerer.Terms("Which museums are in HELSINKI"));
    }

    [Fact]
    public async Task Without_a_language_model_the_generator_streams_the_extract_with_a_warning()
    {
        var generator = new AnswerGenerator(Options.Create(new LlmOptions()), new AnswerTelemetry(new TestMeterFactory()),
            NullLogger<AnswerGenerator>.Instance);

        var events = await AnswerTestData.CollectAsync(generator.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));

        var completed = AnswerTestData.AssertWellFormed(events);
        Assert.True(events.Count > 2, "the introduction and each sentence are separate deltas");
        Assert.Equal(AnswerModes.RetrievalOnly, completed.Mode);
        Assert.Null(completed.Model);
        Assert.Equal([2], completed.UsedCitations);
        Assert.Empty(completed.UsedImageIds);
        var warning = Assert.Single(completed.Warnings);
        Assert.Contains("No language model is configured (Llm:Provider=None)", warning);
    }
}
