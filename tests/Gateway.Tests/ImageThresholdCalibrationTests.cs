using System.Globalization;
using System.Net.Http.Json;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Retrieval;
using AspireMmRag.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AspireMmRag.Gateway.Tests;

/// <summary>
/// The calibration of <c>Retrieval:ImageMinScore</c> on the labelled questions of <see cref="FixtureCorpus"/>: with the
/// threshold off, the fused score of the right image for each image question (positives) and the best image score for each
/// question no image fits (negatives). The threshold that separates them best is the midpoint of the gap between the
/// highest negative and the lowest positive. Calibrated twice — with CLIP, and with captions alone (as on a machine without
/// the CLIP model) — the shipped default must lie inside both gaps.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ImageThresholdCalibrationTests(GatewayFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData("with CLIP", "0.5")]
    [InlineData("captions only", "0")]
    public async Task The_default_image_threshold_separates_the_labelled_questions(string signals, string clipWeight)
    {
        output.WriteLine(signals);
        await using var gateway = new GatewayApp(fixture.Settings(("Retrieval:ImageMinScore", "-10"), ("Retrieval:ClipWeight", clipWeight)));
        using var client = gateway.CreateClient();

        var positives = new List<double>();
        foreach (var (question, colour) in FixtureCorpus.ImageQuestions)
        {
            var caption = FixtureCorpus.Documents.SelectMany(d => d.Images).Single(i => i.Colour == colour).Caption;
            var images = await SearchImagesAsync(client, question);
            var score = images.Single(i => i.Caption == caption).Score;
            positives.Add(score);
            output.WriteLine($"+ {score.ToString("F3", CultureInfo.InvariantCulture)}  {question}");
        }
        var negatives = new List<double>();
        foreach (var question in FixtureCorpus.NoImageQuestions)
        {
            var images = await SearchImagesAsync(client, question);
            var best = images.Count > 0 ? images.Max(i => i.Score) : double.NegativeInfinity;
            negatives.Add(best);
            output.WriteLine($"- {best.ToString("F3", CultureInfo.InvariantCulture)}  {question}");
        }

        var (low, high) = (negatives.Max(), positives.Min());
        var midpoint = (low + high) / 2;
        var configured = new RetrievalOptions().ImageMinScore;
        output.WriteLine($"gap ({low:F3}, {high:F3}); midpoint {midpoint:F3}; default {configured:F3}");
        Assert.True(low < high, $"No threshold separates the labelled questions: highest negative {low:F3}, lowest positive {high:F3}.");
        Assert.InRange(configured, low, high);
    }

    private static async Task<IReadOnlyList<ImageHit>> SearchImagesAsync(HttpClient client, string question)
    {
        using var response = await client.PostAsJsonAsync("/api/search", new SearchRequest { Query = question, ImageTopK = 10 });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SearchResponse>())!.Images;
    }
}
