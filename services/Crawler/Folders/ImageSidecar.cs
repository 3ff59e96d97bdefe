using System.Text.Json;
using System.Text.Json.Serialization;

namespace AspireMmRag.Crawler.Folders;

/// <summary>
/// Optional credits for a folder image, in a JSON file beside it named after it plus ".json"
/// (<c>helsinki_cathedral.jpg.json</c>): <c>{"license": "CC BY-SA 4.0", "artist": "…", "attribution": "…", "caption": "…",
/// "descriptionUrl": "…"}</c>, every field optional. Without one an image's licence is "".
/// </summary>
public sealed record ImageSidecar
{
    public const string Suffix = ".json";
    public const int MaxBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    [JsonPropertyName("license")] public string? License { get; init; }
    [JsonPropertyName("artist")] public string? Artist { get; init; }
    [JsonPropertyName("attribution")] public string? Attribution { get; init; }
    [JsonPropertyName("caption")] public string? Caption { get; init; }
    [JsonPropertyName("descriptionUrl")] public string? DescriptionUrl { get; init; }

    /// <exception cref="JsonException">Not a sidecar object.</exception>
    public static ImageSidecar Parse(byte[] content)
    {
        var json = content.AsSpan();
        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            json = json[3..]; // a UTF-8 byte-order mark, as some editors write
        }
        return JsonSerializer.Deserialize<ImageSidecar>(json, Json) ?? new ImageSidecar();
    }
}
