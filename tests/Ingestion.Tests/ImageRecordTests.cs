using AspireMmRag.Indexer.Indexing;
using AspireMmRag.Messaging;

namespace AspireMmRag.Ingestion.Tests;

/// <summary>The image records the indexer derives from a crawled document: their caption text and their ids.</summary>
public sealed class ImageRecordTests
{
    private static readonly string Version = IndexingVersion.For("snowflake-arctic-embed-xs", "openai/clip-vit-base-patch32").Images;

    private static readonly DocumentImage Image = new()
    {
        MediaRef = new string('a', 64),
        SourceUrl = "https://upload.example.org/cathedral.jpg",
        MimeType = "image/jpeg",
        Caption = "The cathedral at dusk",
        License = "CC BY-SA 4.0",
        Artist = "A. Photographer",
        DescriptionUrl = "https://commons.example.org/File:Cathedral.jpg",
        Section = "Sights › Churches",
    };

    private static readonly DocumentCrawled Document = new()
    {
        DocumentId = "wikipedia:en:Helsinki",
        Source = DocumentSources.Wikipedia,
        Title = "Helsinki",
        Url = "https://en.wikipedia.org/wiki/Helsinki",
        Revision = "1",
        ContentHash = "hash",
        Images = [Image],
    };

    [Theory]
    [InlineData("The cathedral at dusk", "Helsinki", "Sights › Churches", "The cathedral at dusk. — Helsinki › Sights › Churches")]
    [InlineData("Is this the cathedral?", "Helsinki", "", "Is this the cathedral? — Helsinki")]
    [InlineData("", "Helsinki", "Sights", "Helsinki › Sights")]
    [InlineData(" Market stalls ", "Market Square", "Market Square", "Market stalls. — Market Square")]
    [InlineData("", "", "", "image")]
    public void Caption_text_is_the_caption_then_title_and_section(string caption, string title, string section, string text)
    {
        Assert.Equal(text, ImageCaptionText.For(caption, title, section));
    }

    [Fact]
    public void An_image_record_keeps_the_document_and_image_fields()
    {
        var pending = Assert.Single(DocumentImageRecords.For(Document, Version));

        var record = pending.Record;
        Assert.Equal(
            (Document.DocumentId, Document.Source, Document.Title, Document.Url, "1", Image.MediaRef, Image.Caption, "A. Photographer, CC BY-SA 4.0"),
            (record.DocumentId, record.Source, record.Title, record.Url, record.Revision, record.MediaRef, record.Caption, record.Attribution));
        Assert.Equal((Image.Section, Image.SourceUrl, Image.DescriptionUrl, Image.License, Image.MimeType),
            (record.Section, record.SourceUrl, record.DescriptionUrl, record.License, record.MimeType));
        Assert.Equal("The cathedral at dusk. — Helsinki › Sights › Churches", pending.CaptionText);
        Assert.Empty(record.Vector);
    }

    [Fact]
    public void The_image_id_changes_with_every_stored_field_but_not_with_the_revision()
    {
        var id = Id(Document, Image);

        Assert.StartsWith("i_", id, StringComparison.Ordinal);
        Assert.Equal(id, Id(Document with { Revision = "2", ContentHash = "other" }, Image));
        Assert.Equal(id, Id(Document, Image with { Width = 10, Height = 10 }));
        Assert.All(
            new[]
            {
                Id(Document, Image with { Caption = "Another caption" }),
                Id(Document, Image with { Section = "Sights" }),
                Id(Document, Image with { SourceUrl = "https://upload.example.org/other.jpg" }),
                Id(Document, Image with { License = "CC0" }),
                Id(Document, Image with { DescriptionUrl = "" }),
                Id(Document, Image with { MimeType = "image/png" }),
                Id(Document, Image with { Attribution = "Photo: someone" }),
                Id(Document, Image with { MediaRef = new string('b', 64) }),
                Id(Document with { Title = "Helsingfors" }, Image),
                Id(Document with { DocumentId = "wikipedia:en:Espoo" }, Image),
            },
            other => Assert.NotEqual(id, other));
    }

    [Fact]
    public void The_same_image_twice_is_one_record()
    {
        Assert.Single(DocumentImageRecords.For(Document with { Images = [Image, Image] }, Version));
        Assert.Equal(2, DocumentImageRecords.For(Document with { Images = [Image, Image with { Section = "" }] }, Version).Count);
    }

    [Fact]
    public void The_image_id_changes_with_the_clip_and_the_passage_model()
    {
        var id = Id(Document, Image);

        Assert.Equal(id, Id(Document, Image, IndexingVersion.For("snowflake-arctic-embed-xs", "openai/clip-vit-base-patch32").Images));
        Assert.NotEqual(id, Id(Document, Image, IndexingVersion.For("snowflake-arctic-embed-xs", "laion/clip-vit-b-32").Images));
        Assert.NotEqual(id, Id(Document, Image, IndexingVersion.For("bge-small-en-v1.5", "openai/clip-vit-base-patch32").Images));
    }

    private static string Id(DocumentCrawled document, DocumentImage image, string? version = null) =>
        DocumentImageRecords.For(document with { Images = [image] }, version ?? Version).Single().Record.Id;
}
