using System.Security.Cryptography;

namespace AspireMmRag.Media;

/// <summary>A media reference is the lowercase hex sha256 of the bytes: 64 characters of [0-9a-f], nothing else.</summary>
public static class MediaReference
{
    public static string For(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static bool IsValid(string? value) =>
        value is { Length: 64 } && value.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    public static string Validate(string? value) =>
        IsValid(value) ? value! : throw new ArgumentException($"'{value}' is not a media reference (64 lowercase hex characters).", nameof(value));
}
