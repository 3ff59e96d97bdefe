using AspireMmRag.Indexer.Chunking;
using AspireMmRag.Messaging;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace AspireMmRag.Ingestion.Tests;

/// <summary>No chunk is ever truncated by the passage model: counted by the embedder's own tokenizer (its vocab.txt, as the
/// embedder loads it), every chunk, heading included, fits in 510 WordPiece tokens.</summary>
public sealed class ChunkTokenLimitTests
{
    private static readonly BertTokenizer Embedders = BertTokenizer.Create(
        Path.Combine(AppContext.BaseDirectory, "models", "arctic-embed-xs", "vocab.txt"), new BertOptions { LowerCaseBeforeTokenization = true });

    [Theory]
    [InlineData(510, 48)]
    [InlineData(256, 48)]
    [InlineData(64, 12)]
    public void Long_sentences_many_piece_words_and_CJK_fit_the_model(int maxTokens, int overlap)
    {
        var chunker = new TextChunker(Options.Create(new ChunkingOptions { MaxTokens = maxTokens, OverlapTokens = overlap }));
        var random = new Random(7);
        string Gibberish() => new(Enumerable.Range(0, random.Next(8, 30)).Select(_ => "bcdfghjklmnpqrstvwxz"[random.Next(20)]).ToArray());
        var longSentence = string.Join(" ", Enumerable.Range(0, 900).Select(i => i % 5 == 0 ? Gibberish() : "ferry")) + ".";
        var pieces = string.Join(" ", Enumerable.Range(0, 400).Select(i => $"Xq{i * 7919}zv-{Gibberish()}_Ĳ{i}")) + ".";
        var cjk = string.Concat(Enumerable.Repeat("赫尔辛基是芬兰的首都，位于波罗的海沿岸", 120)) + "。" + string.Concat(Enumerable.Repeat("ヘルシンキは港町です", 150));
        var mixed = string.Join(" ", Enumerable.Range(0, 300).Select(i => $"Ünïcödé{i} 東京{i}タワー naïve-café {Gibberish()}!"));
        var title = "Helsinki — a very long title " + string.Join(" ", Enumerable.Range(0, 30).Select(_ => Gibberish()));
        DocumentSection Section(string path, string text) => new() { Title = path, Path = path, Level = 2, Text = text };

        var chunks = chunker.Chunk(title, [Section("Long", longSentence), Section("Pieces › " + Gibberish(), pieces), Section("CJK", cjk), Section("Mixed", mixed)]);

        Assert.True(chunks.Count > 4, $"{chunks.Count} chunks");
        Assert.All(chunks, chunk =>
        {
            var tokens = Embedders.CountTokens(chunk.Text);
            Assert.True(tokens <= maxTokens, $"{tokens} tokens (limit {maxTokens}) in chunk {chunk.Index}: {chunk.Text[..Math.Min(200, chunk.Text.Length)]}");
            Assert.Equal(tokens, chunk.Tokens);
        });
        // Nothing is lost: every CJK character is in some chunk.
        Assert.True(chunks.Where(c => c.Section == "CJK").Sum(c => c.Text.Count(ch => ch == '赫')) >= 120);
    }
}
