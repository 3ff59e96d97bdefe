namespace AspireMmRag.VectorStore.Tests;

/// <summary>The safe FTS5 query builder: words (letter and number runs) quoted, duplicates dropped, OR-ed.</summary>
public sealed class FullTextQueryTests
{
    [Theory]
    [InlineData("temple", "\"temple\"")]
    [InlineData("  Tōdai-ji's   in 1950 ", "\"Tōdai\" OR \"ji\" OR \"s\" OR \"in\" OR \"1950\"")]
    [InlineData("a AND b OR NOT c", "\"a\" OR \"AND\" OR \"b\" OR \"OR\" OR \"NOT\" OR \"c\"")]
    [InlineData("say \"hi\" now", "\"say\" OR \"hi\" OR \"now\"")]
    [InlineData("NEAR(a b, 2)", "\"NEAR\" OR \"a\" OR \"b\" OR \"2\"")]
    [InlineData("foo:bar C# ^x +y {z} zan*", "\"foo\" OR \"bar\" OR \"C\" OR \"x\" OR \"y\" OR \"z\" OR \"zan\"")]
    [InlineData("a - b -c", "\"a\" OR \"b\" OR \"c\"")]
    [InlineData("line\nbreak\ttab\0nul", "\"line\" OR \"break\" OR \"tab\" OR \"nul\"")]
    [InlineData("東大寺 x²", "\"東大寺\" OR \"x²\"")]
    public void Quotes_every_word_and_joins_them_with_OR(string text, string expected) =>
        Assert.Equal(expected, FullTextQuery.ToFts5Match(FullTextQuery.Tokens(text)));

    [Theory]
    [InlineData("")]
    [InlineData("   \t\n")]
    [InlineData("\"")]
    [InlineData("\"\" * - ( ) , ^ + { } : ?!")]
    [InlineData("🙂 ☃")]
    [InlineData("\u0301 \u20DD")]
    public void Text_without_letters_or_digits_gives_no_query(string text)
    {
        Assert.Null(FullTextQuery.ToFts5Match(FullTextQuery.Tokens(text)));
        Assert.Empty(FullTextQuery.Tokens(text));
    }

    [Fact]
    public void Words_differing_in_case_or_diacritics_are_kept_once()
    {
        Assert.Equal(["Huế", "city"], FullTextQuery.Tokens("Huế hue HUE, city \"huế\" City."));
        Assert.Equal(["Tōdai", "ji"], FullTextQuery.Tokens("Tōdai-ji todai-ji TODAI–JI todai ji"));
        Assert.Equal(["Hue\u0301"], FullTextQuery.Tokens("Hue\u0301 Hué HUÉ"));
    }

    [Fact]
    public void At_most_MaxTokens_distinct_words_are_kept_in_order()
    {
        var words = Enumerable.Range(0, FullTextQuery.MaxTokens + 10).Select(i => $"w{i}").ToList();

        var tokens = FullTextQuery.Tokens(string.Join(' ', words.Prepend("w0")));

        Assert.Equal(words.Take(FullTextQuery.MaxTokens), tokens);
    }

    [Fact]
    public void Words_in_half_the_rows_or_more_are_dropped_keeping_the_rest_in_order()
    {
        string[] words = ["what", "is", "the", "harbour", "crane", "of", "Ostrenhafen"];
        // 1,000 rows: "the" and "of" in half or more (IDF floored), "what" and "is" in a third, "harbour" in a tenth.
        long[] frequencies = [330, 400, 990, 100, 40, 500, 3];

        Assert.Equal(["what", "is", "harbour", "crane", "Ostrenhafen"], FullTextQuery.SelectTerms(words, frequencies, 1_000));
        Assert.Equal(["what", "is", "harbour", "crane", "Ostrenhafen"], FullTextQuery.SelectTerms(words, frequencies, 1_000, commonShare: 1));
        // The stricter cut: with a word in at most a quarter of the rows, the words in more than that go too.
        Assert.Equal(["harbour", "crane", "Ostrenhafen"], FullTextQuery.SelectTerms(words, frequencies, 1_000, commonShare: 0.25));
        // Without a word that rare, only the half-the-rows cut applies.
        Assert.Equal(["what", "is"], FullTextQuery.SelectTerms(["what", "is", "the", "of"], [330, 400, 990, 500], 1_000, commonShare: 0.25));
    }

    [Fact]
    public void Words_in_no_row_are_dropped_and_a_query_of_common_words_keeps_its_rarest()
    {
        string[] words = ["how", "does", "the", "of", "a"];

        Assert.Equal(["a"], FullTextQuery.SelectTerms(words, [0, 0, 1_000, 700, 600], 1_000));
        Assert.Equal(["of"], FullTextQuery.SelectTerms(words, [0, 0, 1_000, 600, 600], 1_000)); // the first of the rarest
        Assert.Empty(FullTextQuery.SelectTerms(words, [0, 0, 0, 0, 0], 1_000));
        // No row count: nothing to go by, every word is kept.
        Assert.Equal(words, FullTextQuery.SelectTerms(words, [0, 0, 0, 0, 0], 0));
    }

    [Fact]
    public void Words_in_few_rows_altogether_are_all_kept()
    {
        string[] words = ["alpha", "beta", "gamma"];

        // Two rows: each word is in half of them, but scoring two rows costs nothing.
        Assert.Equal(["alpha", "beta"], FullTextQuery.SelectTerms(words, [1, 1, 0], 2));
        Assert.Equal(words, FullTextQuery.SelectTerms(words, [200, 50, 6], 200));
        Assert.Equal(["beta", "gamma"], FullTextQuery.SelectTerms(words, [201, 50, 6], 201));
        Assert.Throws<ArgumentOutOfRangeException>(() => FullTextQuery.SelectTerms(words, [1, 2], 10));
    }

    [Fact]
    public void A_match_of_selected_words_quotes_and_ors_them()
    {
        Assert.Equal("\"harbour\" OR \"Tōdai\"", FullTextQuery.ToFts5Match(["harbour", "Tōdai"]));
        Assert.Null(FullTextQuery.ToFts5Match(Array.Empty<string>()));
    }
}
