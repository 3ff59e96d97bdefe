using System.Text;
using AspireMmRag.VectorStore.Embedded;
using Microsoft.Data.Sqlite;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>
/// <see cref="FullTextTokenizer"/> against FTS5 itself: every text is indexed by an FTS5 table with the passages' tokenizer
/// and its terms are read back in order (<c>fts5vocab</c>, instance), then compared with what the C# tokenizer gives, on
/// every code point of the Basic Multilingual Plane in context, on samples of the other planes, on hand-picked hard
/// cases, on the labelled retrieval set and on random mixes.
/// </summary>
public sealed class FullTextTokenizerTests : IDisposable
{
    private readonly FullTextTokenizer _tokenizer = new();
    private readonly SqliteConnection _fts5 = OpenFts5();

    public void Dispose()
    {
        _tokenizer.Dispose();
        _fts5.Dispose();
    }

    [Theory]
    [InlineData("Huế, Tōdai-ji's ZÜRICH crème brûlée")]
    [InlineData("e\u0301te a\u0301b x \u0301 y \u0301\u0301")] // decomposed marks fold to nothing; a lone mark is no token
    [InlineData("ø ß İ ǅ ﬁ Ǆ ǈ ǋ Ω K Å")] // letters without a plain decomposition, titlecase, ligatures, compatibility signs
    [InlineData("ά Ωμέγα ΐ Ελλάδα Москва Ёлка Ђ")]
    [InlineData("日本語 テスト 한국어 中文，标点。")]
    [InlineData("العربية عَرَبِيّ हिन्दी देवनागरी ภาษาไทย")]
    [InlineData("x\u200by a\u00a0b c\u2028d e\u3000f g\u200dh")]
    [InlineData("a_b a'b 3.14 1,000 C# C++ x-ray e-mail")]
    [InlineData("😀a 👍🏽 🇫🇮 𝐀𝐁𝐂 𐐀𐐨 𠜎𠜱")]
    [InlineData("\0a\u0001b\tc\rd\ne")]
    [InlineData("\ud800 lone \udc00 surrogates\ud83d")]
    [InlineData("\uE000\uF8FF\U000F0000 private use, \uFDD0\uFFFE noncharacters, \u0378 unassigned")]
    [InlineData("")]
    public void Splits_and_folds_as_fts5(string text) =>
        Assert.Equal(Fts5Terms([text])[0], Terms(text));

    [Fact]
    public void Every_code_point_of_the_basic_plane_splits_and_folds_as_fts5_in_context()
    {
        // Each code point once, in a seeded shuffle, 48 to a text, next to others and to ASCII letters.
        var codes = Enumerable.Range(0, 0x10000).Where(c => c is < 0xD800 or > 0xDFFF).ToArray();
        new Random(5).Shuffle(codes);
        var texts = codes.Chunk(48).Select(chunk =>
        {
            var text = new StringBuilder();
            foreach (var (code, i) in chunk.Select((c, i) => (c, i)))
            {
                text.Append(char.ConvertFromUtf32(code));
                if (i % 5 == 0)
                {
                    text.Append('q');
                }
                if (i % 7 == 0)
                {
                    text.Append(' ');
                }
            }
            return text.ToString();
        }).ToList();

        AssertSameTerms(texts);
    }

    [Fact]
    public void Samples_of_the_other_planes_split_and_fold_as_fts5()
    {
        var random = new Random(6);
        var texts = Enumerable.Range(0, 400).Select(_ =>
        {
            var text = new StringBuilder();
            for (var i = 0; i < 24; i++)
            {
                var code = random.Next(5) switch
                {
                    0 => random.Next(0x10000, 0x20000), // SMP: scripts, symbols, emoji, mathematical letters
                    1 => random.Next(0x20000, 0x32000), // CJK extensions
                    2 => random.Next(0xE0000, 0xE0200), // tags, variation selectors
                    3 => random.Next(0xF0000, 0x110000), // private use planes
                    _ => random.Next(0x61, 0x7B),
                };
                text.Append(char.ConvertFromUtf32(code));
                if (random.Next(4) == 0)
                {
                    text.Append(' ');
                }
            }
            return text.ToString();
        }).ToList();

        AssertSameTerms(texts);
    }

    [Fact]
    public void Random_mixes_of_scripts_marks_and_punctuation_split_and_fold_as_fts5()
    {
        var random = new Random(7);
        int[][] ranges =
        [
            [0x20, 0x7F], [0xA0, 0x250], [0x300, 0x370], [0x370, 0x530], [0x590, 0x700], [0x900, 0x980], [0x1E00, 0x1F00],
            [0x2000, 0x2070], [0x3000, 0x3100], [0x4E00, 0x4F00], [0xAC00, 0xAD00], [0xFB00, 0xFB50], [0xFE00, 0xFE10], [0xFF00, 0xFFF0],
        ];
        var texts = Enumerable.Range(0, 1_000).Select(_ =>
        {
            var text = new StringBuilder();
            var length = random.Next(1, 60);
            for (var i = 0; i < length; i++)
            {
                var range = ranges[random.Next(ranges.Length)];
                text.Append(char.ConvertFromUtf32(random.Next(range[0], range[1])));
            }
            return text.ToString();
        }).ToList();

        AssertSameTerms(texts);
    }

    [Fact]
    public void The_labelled_retrieval_set_splits_and_folds_as_fts5()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "RetrievalSet");
        var texts = Directory.GetFiles(Path.Combine(folder, "documents"), "*.md", SearchOption.AllDirectories).Select(File.ReadAllText)
            .Append(File.ReadAllText(Path.Combine(folder, "questions.json")))
            .ToList();
        Assert.True(texts.Count > 30);

        AssertSameTerms(texts);
    }

    [Theory]
    [InlineData('x', 40_000)] // 1 byte each: cut at 32,768 characters
    [InlineData('é', 20_000)] // 2 bytes each: cut on a character boundary
    [InlineData('€', 12_000)] // 3 bytes each: cut inside a character
    public void A_term_longer_than_fts5_keeps_is_cut_as_fts5_cuts_it(char letter, int count)
    {
        var text = "before " + new string(letter, count) + " after";

        var terms = Terms(text);

        Assert.Equal(Fts5Terms([text])[0], terms);
        Assert.True(Encoding.UTF8.GetByteCount(terms[1]) <= FullTextTokenizer.MaxTermBytes + 3);
    }

    [Fact]
    public void A_term_is_its_own_only_term_so_a_quoted_term_is_one_fts5_token()
    {
        var codes = Enumerable.Range(0, 0x10000).Where(c => c is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32);
        var terms = Terms(string.Join(' ', codes)).Distinct().ToList();
        Assert.True(terms.Count > 40_000, $"{terms.Count} distinct one-character terms.");

        Assert.All(terms, term => Assert.Equal([term], Terms(term)));
    }

    [Fact]
    public void Distinct_terms_keep_their_first_order_and_stop_at_the_maximum()
    {
        Assert.Equal(["hue", "city"], _tokenizer.DistinctTerms("Huế hue HUE, city \"huế\" City.", 10));
        Assert.Equal(["a", "b"], _tokenizer.DistinctTerms("a b c d", 2));
        Assert.Empty(_tokenizer.DistinctTerms("?! \"* -", 10));
    }

    private List<string> Terms(string text)
    {
        var terms = new List<string>();
        _tokenizer.Tokenize(text, term => terms.Add(term.ToString()));
        return terms;
    }

    private void AssertSameTerms(IReadOnlyList<string> texts)
    {
        var expected = Fts5Terms(texts);
        for (var i = 0; i < texts.Count; i++)
        {
            var actual = Terms(texts[i]);
            if (!expected[i].SequenceEqual(actual))
            {
                Assert.Fail($"Text {i} ({Escape(texts[i])}): FTS5 [{string.Join(", ", expected[i].Select(Escape))}], " +
                            $"tokenizer [{string.Join(", ", actual.Select(Escape))}].");
            }
        }
    }

    private static string Escape(string text) =>
        string.Concat(text.EnumerateRunes().Select(r => r.Value is >= 0x21 and < 0x7F ? r.ToString() : $"\\u{r.Value:X4}"));

    /// <summary>The terms FTS5 makes of each text, in order.</summary>
    private List<List<string>> Fts5Terms(IReadOnlyList<string> texts)
    {
        using var transaction = _fts5.BeginTransaction();
        using (var insert = _fts5.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO t (rowid, body) VALUES ($id, $body)";
            var id = insert.Parameters.Add("$id", SqliteType.Integer);
            var body = insert.Parameters.Add("$body", SqliteType.Text);
            for (var i = 0; i < texts.Count; i++)
            {
                id.Value = i;
                body.Value = texts[i];
                insert.ExecuteNonQuery();
            }
        }
        var terms = texts.Select(_ => new List<(long Offset, string Term)>()).ToList();
        using (var select = _fts5.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT doc, offset, term FROM t_terms";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                terms[(int)reader.GetInt64(0)].Add((reader.GetInt64(1), reader.GetString(2)));
            }
        }
        transaction.Rollback();
        return terms.Select(list => list.OrderBy(t => t.Offset).Select(t => t.Term).ToList()).ToList();
    }

    private static SqliteConnection OpenFts5()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = $"""
            CREATE VIRTUAL TABLE t USING fts5(body, tokenize = '{PassageFullText.Tokenizer}');
            CREATE VIRTUAL TABLE t_terms USING fts5vocab(t, instance);
            """;
        create.ExecuteNonQuery();
        return connection;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AspireMmRag.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (AspireMmRag.sln) was not found above " + AppContext.BaseDirectory);
    }
}
