using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>
/// The subset of Milvus's boolean expression grammar the client emits: <c>field == "s"</c>, <c>field &gt; "s"</c>,
/// <c>field in ["a","b"]</c>, joined by <c>&amp;&amp;</c>; string literals unquoted like Milvus does (C escapes).
/// Anything else is a parse error, so a badly escaped value fails the test instead of matching by accident.
/// </summary>
internal static class MilvusFakeFilter
{
    public static Func<JsonObject, bool> Parse(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return static _ => true;
        }
        var parser = new Parser(expression);
        var predicate = parser.ParseAnd();
        parser.ExpectEnd();
        return predicate;
    }

    /// <summary>Milvus compares VarChar values by their UTF-8 bytes.</summary>
    public static int CompareUtf8(string left, string right) =>
        Encoding.UTF8.GetBytes(left).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(right));

    private sealed class Parser(string text)
    {
        private int _position;

        public Func<JsonObject, bool> ParseAnd()
        {
            var left = ParseComparison();
            while (TryConsume("&&"))
            {
                var right = ParseComparison();
                var previous = left;
                left = row => previous(row) && right(row);
            }
            return left;
        }

        public void ExpectEnd()
        {
            SkipWhitespace();
            if (_position != text.Length)
            {
                throw new FormatException($"unexpected '{text[_position..]}'");
            }
        }

        private Func<JsonObject, bool> ParseComparison()
        {
            var field = ReadIdentifier();
            if (TryConsume("=="))
            {
                var value = ReadString();
                return row => FieldValue(row, field) == value;
            }
            if (TryConsume(">"))
            {
                var value = ReadString();
                return row => CompareUtf8(FieldValue(row, field), value) > 0;
            }
            if (TryConsume("in"))
            {
                Expect('[');
                var values = new HashSet<string>(StringComparer.Ordinal);
                SkipWhitespace();
                if (!TryConsume("]"))
                {
                    do
                    {
                        values.Add(ReadString());
                    }
                    while (TryConsume(","));
                    Expect(']');
                }
                return row => values.Contains(FieldValue(row, field));
            }
            throw new FormatException($"unsupported operator at {_position} in '{text}'");
        }

        private static string FieldValue(JsonObject row, string field) =>
            row.TryGetPropertyValue(field, out var node) && node is JsonValue value && value.TryGetValue<string>(out var s)
                ? s
                : throw new FormatException($"field {field} not exist or not a string");

        private string ReadIdentifier()
        {
            SkipWhitespace();
            var start = _position;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] == '_'))
            {
                _position++;
            }
            return _position > start ? text[start.._position] : throw new FormatException($"identifier expected at {start} in '{text}'");
        }

        private string ReadString()
        {
            Expect('"');
            var builder = new StringBuilder();
            while (true)
            {
                if (_position >= text.Length)
                {
                    throw new FormatException("unterminated string literal");
                }
                var c = text[_position++];
                if (c == '"')
                {
                    return builder.ToString();
                }
                if (c is '\n' or '\r')
                {
                    throw new FormatException("raw line break in a string literal");
                }
                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }
                var escape = text[_position++];
                switch (escape)
                {
                    case '\\': builder.Append('\\'); break;
                    case '"': builder.Append('"'); break;
                    case '\'': builder.Append('\''); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        builder.Append((char)int.Parse(text.AsSpan(_position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        _position += 4;
                        break;
                    default: throw new FormatException($"unknown escape \\{escape}");
                }
            }
        }

        private void Expect(char c)
        {
            SkipWhitespace();
            if (_position >= text.Length || text[_position] != c)
            {
                throw new FormatException($"'{c}' expected at {_position} in '{text}'");
            }
            _position++;
        }

        private bool TryConsume(string token)
        {
            SkipWhitespace();
            if (string.CompareOrdinal(text, _position, token, 0, token.Length) != 0)
            {
                return false;
            }
            _position += token.Length;
            return true;
        }

        private void SkipWhitespace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }
    }
}
