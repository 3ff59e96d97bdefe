using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>The image records of a document, without vectors: one per distinct id (an image listed twice with the same
/// fields is one record), with the caption text its caption record is embedded from; ids by <see cref="RecordIds.Image"/> with
/// the image version of <see cref="IndexingVersion"/>.</summary>
public static class DocumentImageRecords
{
    public static IReadOnlyList<PendingImage> For(DocumentCrawled document, string imageVersion) =>
        document.Images.Select(image => Create(document, image, imageVersion)).DistinctBy(pending => pending.Record.Id).ToArray();

    private static PendingImage Create(DocumentCrawled document, DocumentImage image, string imageVersion)
    {
        var record = new ImageRecord
        {
            Id = "",
            DocumentId = document.DocumentId,
            Source = document.Source,
            MediaRef = image.MediaRef,
            Caption = image.Caption,
            Attribution = Attribution(image),
            Url = document.Url,
            Revision = document.Revision,
            Title = document.Title,
            Section = image.Section,
            SourceUrl = image.SourceUrl,
            DescriptionUrl = image.DescriptionUrl,
            License = image.License,
            MimeType = image.MimeType,
        };
        return new PendingImage(record with { Id = RecordIds.Image(record, imageVersion) }, ImageCaptionText.For(image.Caption, document.Title, image.Section));
    }

    private static string Attribution(DocumentImage image) =>
        image.Attribution is { Length: > 0 } attribution ? attribution
        : string.Join(", ", new[] { image.Artist, image.License }.Where(part => part.Length > 0));
}

/// <summary>An image record to write (its <see cref="ImageRecord.Vector"/> still empty) and its caption text.
/// <see cref="NeedsClip"/> / <see cref="NeedsCaption"/>: whether its row is missing from the images / image-captions collection.</summary>
public sealed record PendingImage(ImageRecord Record, string CaptionText, bool NeedsClip = true, bool NeedsCaption = true);
