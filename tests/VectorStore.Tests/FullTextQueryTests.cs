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
        Assert.Equal(expected, FullTextQuery.ToFts5Match(text));

    [Theory]
    [InlineData("")]
    [InlineData("   \t\n")]
    [InlineData("\"")]
    [InlineData("\"\" * - ( ) , ^ + { } : ?!")]
    [InlineData("🙂 ☃")]
    [InlineData("\u0301 \u20DD")]
    public void Text_without_letters_or_digits_gives_no_query(string text)
    {
        Assert.Null(FullTextQuery.ToFts5Match(text));
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
}
