using System.Text;
using Microsoft.Data.Sqlite;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Receives one term of a text (valid until the call returns).</summary>
internal delegate void TermHandler(ReadOnlySpan<char> term);

/// <summary>
/// The tokenizer of the passages' full-text index (<see cref="PassageFullText.Tokenizer"/>, SQLite's unicode61 with
/// diacritics removed) in C#, so that <see cref="PassageTermIndex"/> splits and folds text exactly as FTS5 does.
/// unicode61 works one code point at a time: each is a separator or a token character, and a token character folds to
/// one code point or to nothing (a diacritic). A token is a run of token characters; its term is their folds
/// concatenated, cut to <see cref="MaxTermBytes"/> UTF-8 bytes; a term that folds to nothing is no token.
/// What each code point does is asked of SQLite itself the first time it is seen: a private in-memory FTS5 table with
/// the same tokenizer indexes "a", the code point, "b", and its <c>fts5vocab</c> instance table tells whether that gave
/// "a" and "b" (a separator), "ab" (folds to nothing) or "a", the fold, "b". So the two agree whatever the Unicode
/// tables of the SQLite build. One difference is left: FTS5 keeps the raw bytes of a term it cut inside a code point,
/// where this tokenizer's term ends in U+FFFD, so two such 32 KB terms that differ only in the cut character are one
/// term here. Thread-safe.
/// </summary>
internal sealed class FullTextTokenizer : IDisposable
{
    /// <summary>FTS5 cuts longer tokens to this many bytes (FTS5_MAX_TOKEN_SIZE).</summary>
    public const int MaxTermBytes = 32_768;

    private const int Unknown = int.MinValue;
    private const int Separator = -1;
    private const int Drop = 0;

    /// <summary>Per code point of the Basic Multilingual Plane: <see cref="Unknown"/>, <see cref="Separator"/>,
    /// <see cref="Drop"/> or the code point it folds to.</summary>
    private readonly int[] _basic = new int[0x10000];
    private readonly Dictionary<int, int> _supplementary = [];
    private readonly Lock _probeLock = new();
    private SqliteConnection? _probe;
    private bool _disposed;

    public FullTextTokenizer()
    {
        Array.Fill(_basic, Unknown);
        // Lone surrogates reach SQLite as U+FFFD (the UTF-8 encoder's replacement), so they behave as it does.
        Probe([.. Enumerable.Range(0, 0x80), 0xFFFD]);
        for (var c = 0xD800; c <= 0xDFFF; c++)
        {
            _basic[c] = _basic[0xFFFD];
        }
    }

    /// <summary>Calls <paramref name="onTerm"/> for each term of <paramref name="text"/>, in order.</summary>
    public void Tokenize(ReadOnlySpan<char> text, TermHandler onTerm)
    {
        if (!System.Text.Ascii.IsValid(text))
        {
            LearnCodePoints(text);
        }
        Span<char> stack = stackalloc char[128];
        var buffer = stack;
        char[]? rented = null;
        var length = 0;
        var inToken = false;
        try
        {
            var i = 0;
            while (i <= text.Length)
            {
                int fold;
                var width = 1;
                if (i == text.Length)
                {
                    fold = Separator;
                }
                else if (text[i] < 0x80)
                {
                    fold = _basic[text[i]];
                }
                else
                {
                    var code = CodePointAt(text, i, out width);
                    fold = Lookup(code);
                }
                if (fold == Separator)
                {
                    if (inToken && length > 0)
                    {
                        Emit(buffer[..length], onTerm);
                    }
                    inToken = false;
                    length = 0;
                }
                else
                {
                    inToken = true;
                    if (fold != Drop)
                    {
                        if (length + 2 > buffer.Length)
                        {
                            var larger = System.Buffers.ArrayPool<char>.Shared.Rent(buffer.Length * 2);
                            buffer[..length].CopyTo(larger);
                            if (rented is not null)
                            {
                                System.Buffers.ArrayPool<char>.Shared.Return(rented);
                            }
                            rented = larger;
                            buffer = larger;
                        }
                        length += new Rune(fold).EncodeToUtf16(buffer[length..]);
                    }
                }
                i += width;
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The distinct terms of <paramref name="text"/> in their order of appearance, at most <paramref name="max"/>.</summary>
    public List<string> DistinctTerms(string text, int max)
    {
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lookup = seen.GetAlternateLookup<ReadOnlySpan<char>>();
        Tokenize(text, term =>
        {
            if (terms.Count < max && !lookup.Contains(term))
            {
                var value = term.ToString();
                seen.Add(value);
                terms.Add(value);
            }
        });
        return terms;
    }

    public void Dispose()
    {
        lock (_probeLock)
        {
            _disposed = true;
            _probe?.Dispose();
            _probe = null;
        }
    }

    private static void Emit(ReadOnlySpan<char> term, TermHandler onTerm)
    {
        if (term.Length * 3 <= MaxTermBytes || Encoding.UTF8.GetByteCount(term) <= MaxTermBytes)
        {
            onTerm(term);
            return;
        }
        // As FTS5 does: the first MaxTermBytes bytes (a code point cut in two decodes as U+FFFD).
        var bytes = Encoding.UTF8.GetBytes(term.ToArray(), 0, term.Length);
        onTerm(Encoding.UTF8.GetString(bytes, 0, MaxTermBytes));
    }

    private static int CodePointAt(ReadOnlySpan<char> text, int i, out int width)
    {
        var c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(c, text[i + 1]);
        }
        width = 1;
        return c;
    }

    private int Lookup(int code)
    {
        if (code < 0x10000)
        {
            return Volatile.Read(ref _basic[code]);
        }
        lock (_probeLock)
        {
            return _supplementary.GetValueOrDefault(code, Unknown);
        }
    }

    /// <summary>Probes the code points of <paramref name="text"/> not seen before, all at once.</summary>
    private void LearnCodePoints(ReadOnlySpan<char> text)
    {
        List<int>? unknown = null;
        for (var i = 0; i < text.Length;)
        {
            var code = text[i] < 0x80 ? text[i] : CodePointAt(text, i, out _);
            i += code >= 0x10000 ? 2 : 1;
            if (Lookup(code) == Unknown)
            {
                (unknown ??= []).Add(code);
            }
        }
        if (unknown is not null)
        {
            Probe(unknown.Distinct().ToList());
        }
    }

    private void Probe(IReadOnlyList<int> codes)
    {
        lock (_probeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var connection = _probe ??= OpenProbe();
            using var transaction = connection.BeginTransaction();
            using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO probe (rowid, t) VALUES ($code, $text)";
                var code = insert.Parameters.Add("$code", SqliteType.Integer);
                var sample = insert.Parameters.Add("$text", SqliteType.Text);
                foreach (var c in codes)
                {
                    code.Value = c;
                    sample.Value = "a" + char.ConvertFromUtf32(c) + "b";
                    insert.ExecuteNonQuery();
                }
            }
            var terms = new Dictionary<long, List<string>>();
            using (var select = connection.CreateCommand())
            {
                select.Transaction = transaction;
                select.CommandText = "SELECT doc, term FROM probe_terms ORDER BY doc, offset";
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    var doc = reader.GetInt64(0);
                    if (!terms.TryGetValue(doc, out var list))
                    {
                        terms[doc] = list = [];
                    }
                    list.Add(reader.GetString(1));
                }
            }
            transaction.Rollback();
            foreach (var c in codes)
            {
                var found = terms.GetValueOrDefault(c) ?? [];
                var fold = found switch
                {
                    ["ab"] => Drop,
                    [var one] when one.Length >= 3 && one[0] == 'a' && one[^1] == 'b' && Rune.TryGetRuneAt(one, 1, out var rune)
                        && rune.Utf16SequenceLength == one.Length - 2 => rune.Value,
                    _ => Separator, // "a" and "b"
                };
                if (c < 0x10000)
                {
                    Volatile.Write(ref _basic[c], fold);
                }
                else
                {
                    _supplementary[c] = fold;
                }
            }
        }
    }

    private static SqliteConnection OpenProbe()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = $"""
            CREATE VIRTUAL TABLE probe USING fts5(t, tokenize = '{PassageFullText.Tokenizer}');
            CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, instance);
            """;
        create.ExecuteNonQuery();
        return connection;
    }
}
