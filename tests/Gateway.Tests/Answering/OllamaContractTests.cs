using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Tests.Fakes;
using AspireMmRag.TestModels;
using Xunit.Abstractions;

namespace AspireMmRag.Gateway.Tests.Answering;

/// <summary>
/// The Ollama client path on what both servers must do alike, as theories: always on <see cref="FakeOllamaServer"/>;
/// also on a real <c>ollama/ollama</c> container with a small model (<see cref="OllamaContainer"/>) when a container
/// runtime answers and <c>MMRAG_OLLAMA_CONTAINER=1</c> is set (it downloads the image and the model). Each case's name says
/// which one it ran on (<c>ollama: "fake"</c> or <c>ollama: "ollama-container"</c>). The fake's own behaviours (failures
/// mid-stream, timeouts, exact request bodies) stay in <see cref="OllamaAnswerTests"/>.
/// </summary>
public sealed class OllamaContractTests(ITestOutputHelper output)
{
    public const string Fake = "fake";
    public const string Container = "ollama-container";

    private static readonly Lazy<Task<OllamaContainer>> SharedContainer = new(() => OllamaContainer.StartAsync());

    public static TheoryData<string> Targets
    {
        get
        {
            var targets = new TheoryData<string> { Fake };
            if (OllamaContainer.Wanted)
            {
                targets.Add(Container);
            }
            return targets;
        }
    }

    /// <summary>An Ollama endpoint on <paramref name="target"/>: its connection string for <paramref name="model"/> (the
    /// container's pulled model when null) and what to dispose.</summary>
    private static async Task<(string ConnectionString, string Model, FakeOllamaServer? Fake)> StartAsync(string target, string? model = null)
    {
        if (target == Fake)
        {
            var fake = await FakeOllamaServer.StartAsync();
            return (fake.ConnectionString(model ?? "llama3"), model ?? "llama3", fake);
        }
        var ollama = await SharedContainer.Value;
        return ($"Endpoint={ollama.Endpoint};Model={model ?? ollama.Model}", model ?? ollama.Model, null);
    }

    private static Dictionary<string, string?> Settings(string connectionString) => new()
    {
        ["Llm:Provider"] = "Ollama",
        ["ConnectionStrings:llm"] = connectionString,
        ["Llm:AttemptTimeout"] = "00:05:00", // a CPU-only container answers slowly
        ["Llm:MaxOutputTokens"] = "32",
    };

    [Fact]
    public void The_suite_says_which_Ollama_it_runs_against()
    {
        var report = OllamaContainer.NotWantedReason is { } reason
            ? $"Ollama contract cases: the fake only ({reason})"
            : $"Ollama contract cases: the fake and a real {OllamaContainer.Image} container";
        output.WriteLine(report);
        Console.WriteLine(report);

        IEnumerable<object[]> rows = Targets;
        Assert.Equal(OllamaContainer.Wanted ? [Fake, Container] : [Fake], rows.Select(row => (string)row[0]));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task A_streamed_answer_has_text_deltas_and_names_the_model(string ollama)
    {
        var (connectionString, model, fake) = await StartAsync(ollama);
        await using var _ = fake;
        await using var host = await AnswerHost.StartAsync(Settings(connectionString));

        var events = await AnswerTestData.CollectAsync(host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));

        var completed = AnswerTestData.AssertWellFormed(events);
        output.WriteLine($"{ollama}: {string.Concat(events.OfType<AnswerDelta>().Select(d => d.Text))}");
        Assert.Equal(AnswerModes.Llm, completed.Mode);
        Assert.Equal(model, completed.Model);
        Assert.NotEmpty(string.Concat(events.OfType<AnswerDelta>().Select(d => d.Text)).Trim());
        Assert.Empty(completed.Warnings);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Status_reports_the_pulled_model_available(string ollama)
    {
        var (connectionString, model, fake) = await StartAsync(ollama);
        await using var _ = fake;
        await using var host = await AnswerHost.StartAsync(Settings(connectionString));

        var status = await host.Status.GetStatusAsync();

        Assert.True(status.Available, status.Reason);
        Assert.Equal("ollama", status.Provider);
        Assert.Equal(model, status.Model);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task A_model_that_is_not_pulled_gives_a_retrieval_only_answer_and_an_unavailable_status(string ollama)
    {
        var (connectionString, _, fake) = await StartAsync(ollama, model: "mmrag-no-such-model");
        await using var disposeFake = fake;
        if (fake is not null)
        {
            fake.ChatMode = FakeChatMode.ModelNotFound; // what the real server does for a model it does not have
        }
        await using var host = await AnswerHost.StartAsync(Settings(connectionString));

        var completed = AnswerTestData.AssertWellFormed(
            await AnswerTestData.CollectAsync(host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None)));
        var status = await host.Status.GetStatusAsync();

        Assert.Equal(AnswerModes.RetrievalOnly, completed.Mode);
        Assert.Contains("the model 'mmrag-no-such-model' was not found there", Assert.Single(completed.Warnings));
        Assert.False(status.Available);
        Assert.Contains("the model 'mmrag-no-such-model' is not pulled", status.Reason);
    }
}
