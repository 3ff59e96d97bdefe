using System.Security.Cryptography;
using System.Text;
using AspireMmRag.Media;
using AspireMmRag.Messaging;
using AspireMmRag.TestModels;

namespace AspireMmRag.Ingestion.Tests.Infrastructure;

/// <summary>Crawled documents as the crawler would publish them, with their images put in the media store first.</summary>
public static class TestDocuments
{
    private static readonly string[] Topics =
    [
        "The harbour of Helsinki is busy with ferries to Suomenlinna and Tallinn.",
        "Helsinki Cathedral stands over Senate Square with its green domes.",
        "Temppeliaukio Church was carved directly into solid granite.",
        "The Market Square sells fish, berries and handicrafts in summer.",
        "Oodi, the central library, offers workshops and music rooms for free.",
        "Uspenski Cathedral is the largest Orthodox church in Western Europe.",
    ];

    /// <summary>A document whose text makes about <paramref name="paragraphs"/> × 60 tokens, in two sections.</summary>
    public static DocumentCrawled Create(string id, string revision = "1", int paragraphs = 6, IReadOnlyList<DocumentImage>? images = null, string variant = "")
    {
        var sections = new[]
        {
            Section(id, "Sights", paragraphs / 2 + 1, variant),
            Section(id, "Culture", paragraphs - paragraphs / 2, variant),
        };
        var imageList = images ?? [];
        return new DocumentCrawled
        {
            DocumentId = id,
            Source = DocumentSources.Folder,
            Title = $"Test document {id}",
            Url = $"file:///fixtures/{Uri.EscapeDataString(id)}.md",
            Revision = revision,
            ContentHash = Hash(string.Join("\n", sections.Select(s => s.Text)) + string.Join(",", imageList.Select(i => i.MediaRef + i.Caption + i.Section))),
            Sections = sections,
            Images = imageList,
        };
    }

    public static async Task<DocumentImage> ImageAsync(IMediaStore media, byte r, byte g, byte b, string caption, string section = "")
    {
        var reference = await media.PutAsync(TestImages.SolidPng(r, g, b, 64, 64), CancellationToken.None);
        return new DocumentImage
        {
            MediaRef = reference,
            SourceUrl = $"file:///fixtures/{caption.Replace(' ', '-')}.png",
            MimeType = "image/png",
            Width = 64,
            Height = 64,
            Caption = caption,
            License = "CC0",
            Artist = "Test",
            DescriptionUrl = $"https://example.org/files/{caption.Replace(' ', '-')}",
            Section = section,
        };
    }

    /// <summary>Bytes that are not an image, stored like one.</summary>
    public static async Task<DocumentImage> CorruptImageAsync(IMediaStore media)
    {
        var garbage = RandomNumberGenerator.GetBytes(2048);
        var reference = await media.PutAsync(garbage, CancellationToken.None);
        return new DocumentImage { MediaRef = reference, SourceUrl = "file:///fixtures/corrupt.png", MimeType = "image/png", Caption = "corrupt" };
    }

    private static DocumentSection Section(string id, string title, int paragraphs, string variant)
    {
        var text = new StringBuilder();
        for (var p = 0; p < paragraphs; p++)
        {
            for (var s = 0; s < 5; s++)
            {
                text.Append(Topics[(p + s) % Topics.Length]).Append(' ');
            }
            text.Append($"This is paragraph {p} of {title} in {id}{variant}.\n\n");
        }
        return new DocumentSection { Title = title, Path = title, Level = 2, Text = text.ToString() };
    }

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
