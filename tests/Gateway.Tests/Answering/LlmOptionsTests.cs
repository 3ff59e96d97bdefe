using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Model;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Tests.Answering;

public sealed class LlmOptionsTests
{
    [Fact]
    public async Task Without_a_provider_there_is_no_chat_client_and_answers_are_retrieval_only()
    {
        await using var host = await AnswerHost.StartAsync(new Dictionary<string, string?>());

        Assert.Null(host.Services.GetService<IChatClient>());
        var status = await host.Status.GetStatusAsync();
        Assert.Equal("none", status.Provider);
        Assert.False(status.Available);
        Assert.Contains("No language model is configured", status.Reason);

        var completed = AnswerTestData.AssertWellFormed(
            await AnswerTestData.CollectAsync(host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None)));
        Assert.Equal(AnswerModes.RetrievalOnly, completed.Mode);

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.StartsWith("retrieval-only: No language model is configured", report.Entries["llm"].Description);
    }

    [Fact]
    public async Task LlamaSharp_with_a_missing_GGUF_file_fails_at_start_with_a_clear_message()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N") + ".gguf");
        using var host = AnswerHost.Build(new Dictionary<string, string?> { ["Llm:Provider"] = "llamasharp", ["Llm:ModelPath"] = missing });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"the GGUF file Llm:ModelPath='{missing}' does not exist", failure.Message);
    }

    [Fact]
    public async Task LlamaSharp_without_a_model_path_fails_at_start()
    {
        using var host = AnswerHost.Build(new Dictionary<string, string?> { ["Llm:Provider"] = "LlamaSharp" });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Llm:ModelPath is not set", failure.Message);
    }

    [Fact]
    public async Task Ollama_without_an_endpoint_fails_at_start()
    {
        using var host = AnswerHost.Build(new Dictionary<string, string?> { ["Llm:Provider"] = "Ollama" });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("no endpoint is configured: set ConnectionStrings:llm", failure.Message);
    }

    [Fact]
    public async Task Out_of_range_settings_fail_at_start()
    {
        using var host = AnswerHost.Build(new Dictionary<string, string?>
        {
            ["Llm:Provider"] = "Ollama",
            ["Llm:Endpoint"] = "ftp://ollama",
            ["Llm:Temperature"] = "3",
            ["Llm:MaxOutputTokens"] = "0",
            ["Llm:AttemptTimeout"] = "00:20:00",
        });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("not an absolute http(s) URL", failure.Message);
        Assert.Contains("Llm:Temperature", failure.Message);
        Assert.Contains("Llm:MaxOutputTokens", failure.Message);
        Assert.Contains("must not be longer than Llm:TotalTimeout", failure.Message);
    }

    [Fact]
    public void Defaults_are_retrieval_only_with_deterministic_sampling()
    {
        var options = new LlmOptions();

        Assert.Equal(LlmProvider.None, options.Provider);
        Assert.Equal("llama3", options.Model);
        Assert.Equal(0.1f, options.Temperature);
        Assert.Equal(42, options.Seed);
        Assert.Equal(512, options.MaxOutputTokens);
        Assert.Equal(TimeSpan.FromMinutes(3), options.AttemptTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), options.TotalTimeout);
    }

    [Theory]
    [InlineData("Endpoint=http://ollama:11434;Model=llama3", "http://ollama:11434", "llama3")]
    [InlineData("endpoint=http://10.0.0.2:11434/", "http://10.0.0.2:11434/", null)]
    [InlineData("http://localhost:11434", "http://localhost:11434/", null)]
    public void Connection_strings_parse(string connectionString, string endpoint, string? model)
    {
        Assert.True(LlmConnectionString.TryParse(connectionString, out var parsedEndpoint, out var parsedModel, out _));
        Assert.Equal(endpoint, parsedEndpoint);
        Assert.Equal(model, parsedModel);
    }

    [Theory]
    [InlineData("llama3:latest", "llama3", true)]
    [InlineData("llama3:latest", "LLAMA3:latest", true)]
    [InlineData("llama3:8b", "llama3", false)]
    [InlineData("llama3", "llama3:latest", true)]
    [InlineData("llama3.1:latest", "llama3", false)]
    public void Ollama_model_names_match_with_their_default_tag(string listed, string configured, bool matches) =>
        Assert.Equal(matches, OllamaModelStatus.IsModel(listed, configured));

    [Fact]
    public void A_relative_endpoint_path_keeps_its_base_path()
    {
        var options = new LlmOptions { Endpoint = "http://proxy/ollama" };

        Assert.Equal("http://proxy/ollama/", options.EndpointUri?.ToString());
        Assert.Equal("http://proxy/ollama/api/chat", new Uri(options.EndpointUri!, "api/chat").ToString());
    }
}
