namespace AspireMmRag.Gateway.Model;

/// <summary>The body of <c>POST /api/ask</c>.</summary>
public sealed record AskRequest
{
    public string? Question { get; init; }

    /// <summary>Passages to retrieve and cite (1..20).</summary>
    public int? TopK { get; init; }

    /// <summary>Images to return at most (0..10).</summary>
    public int? ImageTopK { get; init; }

    /// <summary>Only these documents (ids as stored, e.g. <c>wikipedia:en:Helsinki</c>).</summary>
    public IReadOnlyList<string>? DocumentIds { get; init; }

    /// <summary>Only these sources (<c>wikipedia</c>, <c>folder</c>).</summary>
    public IReadOnlyList<string>? Sources { get; init; }

    /// <summary>Earlier turns of the conversation, oldest first (at most 6 are used).</summary>
    public IReadOnlyList<ChatTurn>? History { get; init; }
}

/// <summary>One earlier turn: <c>role</c> is <c>user</c> or <c>assistant</c>.</summary>
public sealed record ChatTurn(string Role, string Content);
