using AspireMmRag.Indexer.Chunking;
using AspireMmRag.Messaging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Ingestion.Tests;

public sealed class TextChunkerTests
{
    private static TextChunker Chunker(int maxTokens = 64, int overlap = 12, bool heading = true) =>
        new(Options.Create(new ChunkingOptions { MaxTokens = maxTokens, OverlapTokens = overlap, IncludeHeading = heading }));

    private static DocumentSection Section(string path, string text) => new() { Title = path, Path = path, Level = 2, Text = text };

    [Fact]
    public void Chunks_stay_within_the_budget_and_never_span_sections()
    {
        var sentences = string.Join(" ", Enumerable.Range(0, 40).Select(i => $"Sentence number {i} talks about the harbour and its ferries."));
        var chunks = Chunker().Chunk("Helsinki", [Section("Harbour", sentences), Section("Churches", "Helsinki Cathedral is white. It has green domes.")]);

        Assert.All(chunks, c => Assert.True(c.Tokens <= 64, $"{c.Tokens} tokens: {c.Text}"));
        Assert.Equal("Churches", chunks[^1].Section);
        Assert.DoesNotContain("ferries", chunks[^1].Text);
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Index));
        Assert.All(chunks, c => Assert.StartsWith("Helsinki › ", c.Text));
    }

    [Fact]
    public void Sentences_are_not_cut_and_consecutive_chunks_overlap()
    {
        var sentences = Enumerable.Range(0, 30).Select(i => $"Fact {i} is about Suomenlinna, the sea fortress.").ToArray();
        var chunks = Chunker(overlap: 20, heading: false).Chunk("T", [Section("S", string.Join(" ", sentences))]); // a sentence is 14 tokens

        Assert.True(chunks.Count > 2);
        foreach (var chunk in chunks)
        {
            Assert.EndsWith("fortress.", chunk.Text);
        }
        for (var i = 1; i < chunks.Count; i++)
        {
            var lastOfPrevious = chunks[i - 1].Text[(chunks[i - 1].Text.LastIndexOf("Fact ", StringComparison.Ordinal))..];
            Assert.StartsWith(lastOfPrevious, chunks[i].Text, StringComparison.Ordinal);
        }
        // Every sentence appears somewhere.
        Assert.All(sentences, s => Assert.Contains(chunks, c => c.Text.Contains(s, StringComparison.Ordinal)));
    }

    [Fact]
    public void An_overlong_sentence_is_cut_at_word_boundaries_and_a_huge_word_where_its_tokens_fit()
    {
        var longSentence = string.Join(" ", Enumerable.Repeat("word", 500));
        var hugeWord = new string('x', 5000);
        var chunks = Chunker(heading: false).Chunk("T", [Section("S", longSentence + ". " + hugeWord)]);

        Assert.All(chunks, c => Assert.True(c.Tokens <= 64, $"{c.Tokens}"));
        Assert.Equal(500, chunks.Sum(c => c.Text.Split(' ').Count(w => w.StartsWith("word", StringComparison.Ordinal))));
        Assert.Equal(5000, chunks.Sum(c => c.Text.Count(ch => ch == 'x')));
    }

    [Fact]
    public void Empty_sections_make_no_chunks()
    {
        Assert.Empty(Chunker().Chunk("T", [Section("S", "   \n\n  ")]));
    }

    [Theory]
    [InlineData("Helsinki is the capital of Finland.", 7)]
    [InlineData("Photosynthesis", 3)] // photos ##yn ##thesis
    [InlineData("赫尔辛基是芬兰的首都。", 11)] // a token per CJK character
    public void Tokens_are_the_passage_models_wordpieces(string text, int tokens)
    {
        var chunk = Assert.Single(Chunker(heading: false).Chunk("T", [Section("S", text)]));
        Assert.Equal(tokens, chunk.Tokens);
    }
}
