using AspireMmRag.Gateway.Model;
using AspireMmRag.VectorStore;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Retrieval;

/// <summary>
/// Ranks candidate images by a fused score: the weighted sum of the question→caption similarity and the CLIP text→image
/// similarity (no CLIP term when CLIP gave no list), plus a boost for images in the documents and sections of the top
/// passages. A sum, not a mean: a strong caption match alone can pass the threshold, and CLIP adds evidence on top of it
/// rather than diluting it. An image found by one list only gets the other list's lowest score, a bound on what it would
/// have had.
/// Images below <see cref="RetrievalOptions.ImageMinScore"/> are dropped; the same picture (one media reference) in
/// several documents is one image, shown with the record that best matches the top passages.
/// </summary>
public sealed class ImageRanker(IOptions<RetrievalOptions> options)
{
    public IReadOnlyList<ImageHit> Rank(
        IReadOnlyList<VectorSearchHit<ImageRecord>>? clipHits,
        IReadOnlyList<VectorSearchHit<ImageRecord>> captionHits,
        IReadOnlyList<Citation> topPassages,
        int take)
    {
        var settings = options.Value;
        var scored = Score(clipHits, captionHits, topPassages);
        return scored
            .Where(image => image.Fused >= settings.ImageMinScore)
            .OrderByDescending(image => image.Fused)
            .ThenBy(image => image.Record.MediaRef, StringComparer.Ordinal)
            .Take(take)
            .Select(image => ToHit(image.Record, image.Fused))
            .ToList();
    }

    /// <summary>Every candidate with its fused score, unfiltered (the threshold calibration reads these).</summary>
    public IReadOnlyList<(ImageRecord Record, double Fused)> Score(
        IReadOnlyList<VectorSearchHit<ImageRecord>>? clipHits,
        IReadOnlyList<VectorSearchHit<ImageRecord>> captionHits,
        IReadOnlyList<Citation> topPassages)
    {
        var settings = options.Value;
        var clip = BestByImage(clipHits ?? []);
        var caption = BestByImage(captionHits);
        var useClip = clipHits is not null && settings.ClipWeight > 0;
        var clipFloor = clip.Count > 0 ? clip.Values.Min(s => s.Score) : 0;
        var captionFloor = caption.Count > 0 ? caption.Values.Min(s => s.Score) : 0;
        var documents = topPassages.Select(p => p.DocumentId).ToHashSet(StringComparer.Ordinal);
        var sections = topPassages.Select(p => (p.DocumentId, p.Section)).ToHashSet();

        var results = new List<(ImageRecord Record, double Fused)>();
        foreach (var mediaRef in clip.Keys.Union(caption.Keys))
        {
            var records = (clip.TryGetValue(mediaRef, out var c) ? c.Records : [])
                .Concat(caption.TryGetValue(mediaRef, out var t) ? t.Records : [])
                .ToList();
            var captionScore = caption.TryGetValue(mediaRef, out var captionBest) ? captionBest.Score : captionFloor;
            var fused = settings.CaptionWeight * captionScore;
            if (useClip)
            {
                fused += settings.ClipWeight * (clip.TryGetValue(mediaRef, out var clipBest) ? clipBest.Score : clipFloor);
            }

            // The record shown: one in a top passage's section, else one in a top passage's document, else the first.
            var record = records.FirstOrDefault(r => sections.Contains((r.DocumentId, r.Section)))
                ?? records.FirstOrDefault(r => documents.Contains(r.DocumentId))
                ?? records[0];
            if (documents.Contains(record.DocumentId))
            {
                fused += settings.DocumentBoost;
                if (record.Section.Length > 0 && sections.Contains((record.DocumentId, record.Section)))
                {
                    fused += settings.SectionBoost;
                }
            }
            results.Add((record, fused));
        }
        return results;
    }

    public static ImageHit ToHit(ImageRecord record, double score) => new()
    {
        ImageId = record.MediaRef,
        Url = $"/api/images/{record.MediaRef}",
        SourceUrl = record.SourceUrl,
        DescriptionUrl = record.DescriptionUrl,
        Caption = record.Caption,
        Attribution = record.Attribution,
        License = record.License,
        DocumentId = record.DocumentId,
        DocumentTitle = record.Title,
        DocumentUrl = record.Url,
        Section = record.Section,
        Score = Math.Round(score, 4),
    };

    private static Dictionary<string, (double Score, List<ImageRecord> Records)> BestByImage(IReadOnlyList<VectorSearchHit<ImageRecord>> hits)
    {
        var byImage = new Dictionary<string, (double Score, List<ImageRecord> Records)>(StringComparer.Ordinal);
        foreach (var hit in hits)
        {
            if (byImage.TryGetValue(hit.Record.MediaRef, out var entry))
            {
                entry.Records.Add(hit.Record);
                byImage[hit.Record.MediaRef] = (Math.Max(entry.Score, hit.Score), entry.Records);
            }
            else
            {
                byImage[hit.Record.MediaRef] = (hit.Score, [hit.Record]);
            }
        }
        return byImage;
    }
}
