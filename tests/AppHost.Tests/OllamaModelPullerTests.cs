using System.Net;
using System.Text;
using AspireMmRag.AppHost.Extensions.Ollama;

namespace AspireMmRag.AppHost.Tests;

/// <summary>The model pull against Ollama's documented API shapes (<c>/api/show</c>, the NDJSON stream of <c>/api/pull</c>).</summary>
public sealed class OllamaModelPullerTests
{
    [Fact]
    public async Task A_pull_reports_each_whole_percentage_once_and_ends_on_success()
    {
        var lines = new[]
        {
            """{"status":"pulling manifest"}""",
            """{"status":"pulling 6a0746a1ec1a","digest":"sha256:6a07","total":1000,"completed":0}""",
            """{"status":"pulling 6a0746a1ec1a","digest":"sha256:6a07","total":1000,"completed":4}""",
            """{"status":"pulling 6a0746a1ec1a","digest":"sha256:6a07","total":1000,"completed":425}""",
            """{"status":"pulling 6a0746a1ec1a","digest":"sha256:6a07","total":1000,"completed":429}""",
            """{"status":"pulling 6a0746a1ec1a","digest":"sha256:6a07","total":1000,"completed":1000}""",
            """{"status":"verifying sha256 digest"}""",
            """{"status":"success"}""",
        };
        var handler = new ScriptedHandler(request => request.RequestUri!.AbsolutePath == "/api/pull"
            ? Ndjson(lines)
            : new HttpResponseMessage(HttpStatusCode.NotFound));
        var reported = new List<int>();
        await Puller(handler).PullAsync("llama3", percent => { reported.Add(percent); return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal([0, 42, 100], reported);
        var body = Assert.Single(handler.Bodies);
        Assert.Contains("\"model\":\"llama3\"", body);
        Assert.Contains("\"stream\":true", body);
    }

    [Fact]
    public async Task An_error_line_or_an_error_status_fails_the_pull_with_Ollamas_message()
    {
        var midStream = new ScriptedHandler(_ => Ndjson("""{"status":"pulling manifest"}""", """{"error":"pull model manifest: file does not exist"}"""));
        var error = await Assert.ThrowsAsync<OllamaPullException>(() => Puller(midStream).PullAsync("nosuch", _ => Task.CompletedTask, CancellationToken.None));
        Assert.Contains("file does not exist", error.Message);

        var refused = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("""{"error":"no space left on device"}""") });
        error = await Assert.ThrowsAsync<OllamaPullException>(() => Puller(refused).PullAsync("llama3", _ => Task.CompletedTask, CancellationToken.None));
        Assert.Contains("no space left on device", error.Message);

        var cutOff = new ScriptedHandler(_ => Ndjson("""{"status":"pulling manifest"}"""));
        await Assert.ThrowsAsync<OllamaPullException>(() => Puller(cutOff).PullAsync("llama3", _ => Task.CompletedTask, CancellationToken.None));
    }

    [Fact]
    public async Task Show_says_whether_the_model_is_there()
    {
        var handler = new ScriptedHandler(request => new HttpResponseMessage(
            request.Content!.ReadAsStringAsync().Result.Contains("llama3", StringComparison.Ordinal) ? HttpStatusCode.OK : HttpStatusCode.NotFound));
        Assert.True(await Puller(handler).HasModelAsync("llama3", CancellationToken.None));
        Assert.False(await Puller(handler).HasModelAsync("mistral", CancellationToken.None));
    }

    private static OllamaModelPuller Puller(HttpMessageHandler handler) =>
        new(new HttpClient(handler) { BaseAddress = new Uri("http://ollama.test:11434/") });

    private static HttpResponseMessage Ndjson(params string[] lines) => new(HttpStatusCode.OK)
    {
        Content = new StringContent(string.Join("\n", lines) + "\n", Encoding.UTF8, "application/x-ndjson"),
    };

    private sealed class ScriptedHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<string> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                Bodies.Add(await request.Content.ReadAsStringAsync(cancellationToken));
            }
            return respond(request);
        }
    }
}
