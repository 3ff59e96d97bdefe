using AspireMmRag.Embedder.Inference.Clip;
using AspireMmRag.TestModels;

namespace AspireMmRag.Embedder.Tests;

/// <summary>Loads the tokenizer once per layout: Hugging Face files and a temp dir holding only the OpenAI gzip.</summary>
public sealed class ClipTokenizerFixture : IDisposable
{
    public ClipTokenizerFixture()
    {
        HuggingFace = ClipTokenizer.FromFiles(TestAssets.ClipVocabJson, TestAssets.ClipMerges);

        GzDirectory = Directory.CreateTempSubdirectory("clip-tokenizer-gz-").FullName;
        File.Copy(TestAssets.ClipBpeGz, Path.Combine(GzDirectory, Path.GetFileName(TestAssets.ClipBpeGz)));
        OpenAi = ClipTokenizer.FromDirectory(GzDirectory);
    }

    public ClipTokenizer HuggingFace { get; }

    public ClipTokenizer OpenAi { get; }

    public string GzDirectory { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(GzDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder is harmless.
        }
    }
}

public sealed class ClipTokenizerTests(ClipTokenizerFixture fixture) : IClassFixture<ClipTokenizerFixture>
{
    private const int Sot = ClipTokenizer.StartOfTextId;
    private const int Eot = ClipTokenizer.EndOfTextId;

    /// <summary>The golden rows of shared/reference/clip.md.</summary>
    public static TheoryData<string, int[]> Golden => new()
    {
        { "a photo of a cat", [49406, 320, 1125, 539, 320, 2368, 49407] },
        { "a photo of a dog", [49406, 320, 1125, 539, 320, 1929, 49407] },
        { "Hello World!", [49406, 3306, 1002, 256, 49407] },
        { "It's 3.14", [49406, 585, 568, 274, 269, 272, 275, 49407] },
        { "café naïve Zürich", [49406, 15304, 1097, 35689, 563, 89, 6522, 4021, 49407] },
    };

    private static readonly string[] SampleTexts =
    [
        "a photo of a cat",
        "a photo of a dog",
        "Hello World!",
        "It's 3.14",
        "café naïve Zürich",
        "The quick brown fox jumps over the lazy dog.",
        "Straße, Ελληνικά, русский, 日本語のテキスト, 한국어, العربية",
        "emoji 😀🚀 and symbols ©®™ — “quotes” ‘single’",
        "I'm sure they'll say we'd've done it; don't you think?",
        "numbers 1234567890 and 3.14159 and -42",
        "  lots   of\twhitespace\n\nand\r\nnewlines  ",
        "a&amp;b &lt;tag&gt; &quot;quoted&quot; &amp;amp;",
        "pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism",
        "",
        "Décomposé: cafe\u0301 (NFD) vs café (NFC)",
    ];

    [Fact]
    public void Vocabulary_has_49408_entries_in_both_layouts()
    {
        Assert.Equal(49408, fixture.HuggingFace.VocabularySize);
        Assert.Equal(49408, fixture.OpenAi.VocabularySize);
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Golden_ids_hugging_face_layout(string text, int[] expected)
    {
        Assert.Equal(expected, fixture.HuggingFace.Encode(text));
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Golden_ids_openai_gzip_layout(string text, int[] expected)
    {
        Assert.Equal(expected, fixture.OpenAi.Encode(text));
    }

    [Fact]
    public void Both_layouts_agree_on_varied_text()
    {
        foreach (var text in SampleTexts)
        {
            Assert.Equal(fixture.HuggingFace.Encode(text), fixture.OpenAi.Encode(text));
        }
    }

    [Fact]
    public void FromDirectory_prefers_hugging_face_files_when_present()
    {
        var directory = Path.GetDirectoryName(TestAssets.ClipVocabJson)!;
        var tokenizer = ClipTokenizer.FromDirectory(directory);

        Assert.Equal(49408, tokenizer.VocabularySize);
        Assert.Equal([Sot, 320, 1125, 539, 320, 2368, Eot], tokenizer.Encode("a photo of a cat"));
    }

    [Fact]
    public void FromDirectory_without_tokenizer_files_throws_naming_directory_and_files()
    {
        var empty = Directory.CreateTempSubdirectory("clip-tokenizer-empty-").FullName;
        try
        {
            var ex = Assert.Throws<FileNotFoundException>(() => ClipTokenizer.FromDirectory(empty));
            Assert.Contains(empty, ex.Message, StringComparison.Ordinal);
            Assert.Contains("vocab.json", ex.Message, StringComparison.Ordinal);
            Assert.Contains("merges.txt", ex.Message, StringComparison.Ordinal);
            Assert.Contains("bpe_simple_vocab_16e6.txt.gz", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void Empty_and_whitespace_only_text_give_start_and_end_only()
    {
        Assert.Equal([Sot, Eot], fixture.HuggingFace.Encode(""));
        Assert.Equal([Sot, Eot], fixture.HuggingFace.Encode(" \t\n "));
    }

    [Fact]
    public void Long_text_is_truncated_to_77_ids_ending_with_end_of_text()
    {
        var words = Enumerable.Range(0, 200).Select(i => (i % 4) switch { 0 => "a", 1 => "photo", 2 => "of", _ => "cat" });
        var text = string.Join(' ', words);

        var ids = fixture.HuggingFace.Encode(text);

        Assert.Equal(ClipTokenizer.ContextLength, ids.Count);
        Assert.Equal(Sot, ids[0]);
        Assert.Equal(Eot, ids[^1]);
        // The kept content is the first 75 ids of the untruncated sequence.
        int[] pattern = [320, 1125, 539, 2368];
        for (var i = 1; i < ids.Count - 1; i++)
        {
            Assert.Equal(pattern[(i - 1) % 4], ids[i]);
        }
        Assert.Equal(ids, fixture.OpenAi.Encode(text));
    }

    [Fact]
    public void Truncation_boundary_matches_openai_semantics()
    {
        // 75 content ids fit exactly (1 + 75 + 1 = 77): nothing is dropped.
        var fits = fixture.HuggingFace.Encode(string.Join(' ', Enumerable.Repeat("a", 75)));
        Assert.Equal(77, fits.Count);
        Assert.Equal(Sot, fits[0]);
        Assert.All(fits.Skip(1).Take(75), id => Assert.Equal(320, id));
        Assert.Equal(Eot, fits[76]);

        // 76 content ids: openai/CLIP cuts to 77 and overwrites the last with end-of-text, keeping 75 content ids.
        var cut = fixture.HuggingFace.Encode(string.Join(' ', Enumerable.Repeat("a", 76)));
        Assert.Equal(fits, cut);

        var below = fixture.HuggingFace.Encode(string.Join(' ', Enumerable.Repeat("a", 74)));
        Assert.Equal(76, below.Count);
        Assert.Equal(Eot, below[^1]);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(49407L)]
    public void EncodeTo_writes_ids_and_pads_with_pad_id(long padId)
    {
        var destination = new long[ClipTokenizer.ContextLength];
        Array.Fill(destination, -1L);

        var count = fixture.HuggingFace.EncodeTo("a photo of a cat", destination, padId);

        Assert.Equal(7, count);
        Assert.Equal([49406L, 320, 1125, 539, 320, 2368, 49407], destination[..7]);
        Assert.All(destination[7..], id => Assert.Equal(padId, id));
    }

    [Fact]
    public void EncodeTo_of_empty_text_returns_two_and_pads_the_rest()
    {
        var destination = new long[ClipTokenizer.ContextLength];

        var count = fixture.OpenAi.EncodeTo("", destination, 0);

        Assert.Equal(2, count);
        Assert.Equal(Sot, destination[0]);
        Assert.Equal(Eot, destination[1]);
        Assert.All(destination[2..], id => Assert.Equal(0L, id));
    }

    [Fact]
    public void EncodeTo_of_long_text_fills_all_77_slots()
    {
        var destination = new long[ClipTokenizer.ContextLength];
        var text = string.Join(' ', Enumerable.Repeat("photo", 200));

        var count = fixture.HuggingFace.EncodeTo(text, destination, 0);

        Assert.Equal(ClipTokenizer.ContextLength, count);
        Assert.Equal(Sot, destination[0]);
        Assert.Equal(Eot, destination[^1]);
        Assert.Equal(fixture.HuggingFace.Encode(text).Select(id => (long)id), destination);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(76)]
    [InlineData(78)]
    public void EncodeTo_with_wrong_destination_length_throws(int length)
    {
        var destination = new long[length];
        Assert.Throws<ArgumentException>(() => fixture.HuggingFace.EncodeTo("a photo", destination, 0));
    }

    [Fact]
    public void Html_entities_are_unescaped_twice()
    {
        var tokenizer = fixture.HuggingFace;
        // "a", "&", "b" are separate pieces (letters vs. punctuation), each a whole word: a</w>=320, &</w>=261, b</w>=321.
        int[] expected = [Sot, 320, 261, 321, Eot];

        Assert.Equal(expected, tokenizer.Encode("a&b"));
        Assert.Equal(expected, tokenizer.Encode("a&amp;b"));
        Assert.Equal(expected, tokenizer.Encode("a&amp;amp;b"));
        Assert.Equal(tokenizer.Encode("a & b"), tokenizer.Encode("a &amp; b"));
        Assert.Equal(expected, tokenizer.Encode("a & b"));
        // Unescaped only twice: the third level stays an entity, so it differs.
        Assert.NotEqual(expected, tokenizer.Encode("a&amp;amp;amp;b"));
    }

    [Fact]
    public void Whitespace_runs_are_collapsed_and_trimmed_and_text_is_lowercased()
    {
        var tokenizer = fixture.HuggingFace;
        int[] expected = [Sot, 320, 1125, Eot]; // a</w>, photo</w>

        Assert.Equal(expected, tokenizer.Encode("a photo"));
        Assert.Equal(expected, tokenizer.Encode("  a   photo  "));
        Assert.Equal(expected, tokenizer.Encode("\ta\r\n\n photo\u00A0"));
        Assert.Equal(expected, tokenizer.Encode("A PHOTO"));
        Assert.Equal(expected, tokenizer.Encode("a&nbsp;&nbsp;photo"));
    }

    [Fact]
    public void Text_is_nfc_normalized()
    {
        var tokenizer = fixture.HuggingFace;
        Assert.Equal(tokenizer.Encode("caf\u00E9"), tokenizer.Encode("cafe\u0301"));
    }

    [Fact]
    public void Lowercasing_follows_python_str_lower()
    {
        var tokenizer = fixture.HuggingFace;
        // Python lowers İ to "i" + combining dot above, and a word-final capital sigma to ς.
        Assert.Equal(tokenizer.Encode("i\u0307stanbul"), tokenizer.Encode("\u0130stanbul"));
        Assert.Equal(tokenizer.Encode("\u03BF\u03B4\u03BF\u03C2 \u03C3\u03BF\u03C6\u03B9\u03B1\u03C2"), tokenizer.Encode("\u039F\u0394\u039F\u03A3 \u03A3\u039F\u03A6\u0399\u0391\u03A3"));
        Assert.Equal(tokenizer.Encode("\u03C3"), tokenizer.Encode("\u03A3"));
    }

    [Fact]
    public void Special_token_text_maps_to_special_ids_as_in_openai_clip()
    {
        var tokenizer = fixture.HuggingFace;
        Assert.Equal([Sot, 320, Eot, 320, Eot], tokenizer.Encode("a<|endoftext|>a"));
        Assert.Equal([Sot, Sot, Eot], tokenizer.Encode("<|startoftext|>"));
    }

    [Fact]
    public void Non_ascii_text_round_trips_through_byte_level_symbols()
    {
        foreach (var text in SampleTexts)
        {
            var ids = fixture.HuggingFace.Encode(text);
            Assert.Equal(Sot, ids[0]);
            Assert.Equal(Eot, ids[^1]);
            Assert.All(ids, id => Assert.InRange(id, 0, fixture.HuggingFace.VocabularySize - 1));
        }

        // A lone surrogate does not throw (it is encoded like U+FFFD).
        Assert.Equal(fixture.HuggingFace.Encode("x \uFFFD"), fixture.HuggingFace.Encode("x \uD800"));
    }

    [Fact]
    public void Concurrent_use_matches_serial_use()
    {
        var texts = Enumerable.Range(0, 400)
            .Select(i => $"{SampleTexts[i % SampleTexts.Length]} item{i} {new string((char)('a' + i % 26), 1 + i % 7)}")
            .ToArray();

        var serialTokenizer = ClipTokenizer.FromFiles(TestAssets.ClipVocabJson, TestAssets.ClipMerges);
        var expected = texts.Select(t => serialTokenizer.Encode(t).ToArray()).ToArray();

        // A fresh instance so the word cache is filled concurrently.
        var shared = ClipTokenizer.FromFiles(TestAssets.ClipVocabJson, TestAssets.ClipMerges);
        var actual = new int[8][][];
        var padded = new long[8][][];
        Parallel.For(0, 8 * texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, k =>
        {
            var round = k / texts.Length;
            var index = (k * 7919 + round) % texts.Length; // interleave rounds and texts
            var ids = shared.Encode(texts[index]).ToArray();
            var buffer = new long[ClipTokenizer.ContextLength];
            var count = shared.EncodeTo(texts[index], buffer, 0);
            Assert.Equal(ids.Length, count);
            lock (actual)
            {
                actual[round] ??= new int[texts.Length][];
                padded[round] ??= new long[texts.Length][];
                actual[round][index] = ids;
                padded[round][index] = buffer;
            }
        });

        for (var round = 0; round < 8; round++)
        {
            for (var i = 0; i < texts.Length; i++)
            {
                Assert.Equal(expected[i], actual[round][i]);
                Assert.Equal(expected[i].Select(id => (long)id), padded[round][i].Take(expected[i].Length));
            }
        }
    }
}
