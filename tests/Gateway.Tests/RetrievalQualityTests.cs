using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AspireMmRag.Gateway.Tests;

/// <summary>What the gateway finds in the fixture corpus: the right document for each question, the right image for an
/// image question, no image where none fits, and the same image first when it is uploaded.</summary>
[Collection(GatewayCollection.Name)]
public sealed class RetrievalQualityTests(GatewayFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<string, string> CitedQuestions() => Data(FixtureCorpus.CitedQuestions);

    [Theory]
    [MemberData(nameof(CitedQuestions))]
    public async Task Ask_cites_the_expected_document(string question, string slug)
    {
        var answer = await AskAsync(new AskRequest { Question = question });
        output.WriteLine(answer.Answer);
        var expected = FixtureCorpus.Documents.Single(d => d.Slug == slug).Id;
        Assert.Equal(expected, answer.Citations[0].DocumentId);
        Assert.Contains(answer.UsedCitations, n => answer.Citations[n - 1].DocumentId == expected);
        Assert.Equal(AnswerModes.RetrievalOnly, answer.Mode);
    }

    public static TheoryData<string, string> ImageQuestions() => Data(FixtureCorpus.ImageQuestions);

    private static TheoryData<string, string> Data(IEnumerable<(string, string)> rows)
    {
        var data = new TheoryData<string, string>();
        foreach (var (a, b) in rows)
        {
            data.Add(a, b);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ImageQuestions))]
    public async Task An_image_question_returns_its_image_first(string question, string colour)
    {
        var answer = await AskAsync(new AskRequest { Question = question });
        var expected = FixtureCorpus.Documents.SelectMany(d => d.Images).Single(i => i.Colour == colour);
        Assert.NotEmpty(answer.Images);
        Assert.Equal(expected.Caption, answer.Images[0].Caption);
        var image = answer.Images[0];
        Assert.Equal($"/api/images/{image.ImageId}", image.Url);
        Assert.Equal("Test Photographer, CC BY-SA 4.0", image.Attribution);
        Assert.Equal("CC BY-SA 4.0", image.License);
        Assert.Equal(expected.Section, image.Section);
        Assert.Equal($"corpus/{expected.FileName}", image.SourceUrl);
    }

    public static TheoryData<string> NoImageQuestions() => new(FixtureCorpus.NoImageQuestions);

    [Theory]
    [MemberData(nameof(NoImageQuestions))]
    public async Task A_question_no_image_fits_returns_none(string question)
    {
        var answer = await AskAsync(new AskRequest { Question = question });
        Assert.Empty(answer.Images);
    }

    [Fact]
    public async Task The_seed_question_gets_citations_and_images_of_Helsinki_sights()
    {
        var answer = await AskAsync(new AskRequest { Question = "What are some of the popular tourist attractions in Helsinki?" });
        output.WriteLine(answer.Answer);
        Assert.Equal(4, answer.Citations.Count);
        Assert.All(answer.Citations, c => Assert.DoesNotContain(c.DocumentId, new[] { "folder:corpus/iphone.md", "folder:corpus/sopranos.md" }));
        Assert.NotEmpty(answer.UsedCitations);
        Assert.Contains("[", answer.Answer);
    }

    [Fact]
    public async Task Uploading_a_stored_image_finds_it_first_with_its_documents_passages()
    {
        var tram = FixtureCorpus.Documents.Single(d => d.Slug == "trams");
        using var client = fixture.Gateway.CreateClient();
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(FixtureCorpus.ImageBytes(tram.Images[0]));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "upload.png");
        using var response = await client.PostAsync("/api/search/image", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<SearchResponse>())!;
        Assert.Equal(tram.Images[0].Caption, result.Images[0].Caption);
        Assert.True(result.Images[0].Score > 0.99, $"score {result.Images[0].Score}");
        Assert.NotEmpty(result.Text);
        Assert.Equal(tram.Id, result.Text[0].DocumentId);
    }

    [Fact]
    public async Task Search_filters_by_document_and_source_in_the_store()
    {
        var sopranos = FixtureCorpus.Documents.Single(d => d.Slug == "sopranos").Id;
        using var client = fixture.Gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/search",
            new SearchRequest { Query = "popular tourist attractions in Helsinki", TopK = 5, DocumentIds = [sopranos] });
        var result = (await response.Content.ReadFromJsonAsync<SearchResponse>())!;
        Assert.NotEmpty(result.Text);
        Assert.All(result.Text, hit => Assert.Equal(sopranos, hit.DocumentId));

        using var none = await client.PostAsJsonAsync("/api/search",
            new SearchRequest { Query = "popular tourist attractions in Helsinki", Sources = ["wikipedia"] });
        var empty = (await none.Content.ReadFromJsonAsync<SearchResponse>())!;
        Assert.Empty(empty.Text);
        Assert.Empty(empty.Images);
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("bm25")]
    [InlineData("hybrid")]
    public async Task Each_passage_mode_finds_the_fortress_first_and_says_which_mode_it_used(string mode)
    {
        var suomenlinna = FixtureCorpus.Documents.Single(d => d.Slug == "suomenlinna").Id;
        using var client = fixture.Gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/search", new SearchRequest { Query = "Suomenlinna sea fortress ferry", TopK = 3, Mode = mode });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var result = System.Text.Json.JsonSerializer.Deserialize<SearchResponse>(body, System.Text.Json.JsonSerializerOptions.Web)!;
        Assert.Equal(mode, result.Mode);
        Assert.Equal(suomenlinna, Assert.IsType<Citation>(result.Text[0], exactMatch: false).DocumentId);
        output.WriteLine($"{mode}: {string.Join(", ", result.Text.Select(t => $"{t.DocumentId} {t.Score}"))}");
    }

    [Theory]
    [InlineData("\"*( NEAR AND )\" -")]
    [InlineData("?!…")]
    [InlineData("Helsinki\" OR \"x* NOT (")]
    public async Task Query_syntax_or_only_punctuation_in_a_hybrid_search_is_answered_with_passages(string query)
    {
        using var client = fixture.Gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/search", new SearchRequest { Query = query, TopK = 3, Mode = "hybrid" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var result = System.Text.Json.JsonSerializer.Deserialize<SearchResponse>(body, System.Text.Json.JsonSerializerOptions.Web)!;
        Assert.NotEmpty(result.Text); // the dense list, at least
    }

    private async Task<AskResponse> AskAsync(AskRequest request)
    {
        using var client = fixture.Gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/ask", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonSerializer.Deserialize<AskResponse>(body, System.Text.Json.JsonSerializerOptions.Web)!;
    }
}
