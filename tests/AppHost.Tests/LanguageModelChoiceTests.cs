using AspireMmRag.AppHost.Extensions;
using Microsoft.Extensions.Configuration;

namespace AspireMmRag.AppHost.Tests;

/// <summary>The language model the AppHost picks for each infrastructure mode and configuration.</summary>
public sealed class LanguageModelChoiceTests : IDisposable
{
    private readonly string _gguf = Path.Combine(Path.GetTempPath(), $"mmrag-{Guid.NewGuid():N}.gguf");

    public LanguageModelChoiceTests() => File.WriteAllBytes(_gguf, [1, 2, 3]);

    public static TheoryData<string, string?, bool, LanguageModelKind> Choices => new()
    {
        // Infra:Mode, Llm:Provider, ollama installed, expected
        { "container", null, false, LanguageModelKind.OllamaContainer },
        { "container", "Auto", true, LanguageModelKind.OllamaContainer },
        { "local", null, true, LanguageModelKind.OllamaLocal },
        { "local", null, false, LanguageModelKind.None },
        { "local", "None", true, LanguageModelKind.None },
        { "local", "Ollama", false, LanguageModelKind.None },
        { "container", "LlamaSharp", false, LanguageModelKind.LlamaSharp },
    };

    [Theory]
    [MemberData(nameof(Choices))]
    public void Picks_per_mode_and_provider(string mode, string? provider, bool ollamaInstalled, LanguageModelKind expected)
    {
        var settings = Choose(mode, ollamaInstalled, ("Llm:Provider", provider));
        Assert.Equal(expected, settings.Kind);
        Assert.Equal("llama3", settings.Model);
        Assert.False(string.IsNullOrWhiteSpace(settings.Description));
    }

    [Fact]
    public void Local_mode_without_ollama_uses_LlamaSharp_when_Llm_ModelPath_is_a_file()
    {
        Assert.Equal(LanguageModelKind.LlamaSharp, Choose("local", false, ("Llm:ModelPath", _gguf)).Kind);
        Assert.Equal(LanguageModelKind.None, Choose("local", false, ("Llm:ModelPath", _gguf + ".missing")).Kind);
        Assert.Equal(LanguageModelKind.OllamaLocal, Choose("local", true, ("Llm:ModelPath", _gguf)).Kind); // ollama first
    }

    [Fact]
    public void An_endpoint_of_ones_own_is_used_as_it_is()
    {
        var settings = Choose("container", false, ("Llm:Provider", "Ollama"), ("Llm:Endpoint", "http://gpu-box:11434"), ("Llm:Model", "mistral"));
        Assert.Equal((LanguageModelKind.OllamaExternal, "http://gpu-box:11434", "mistral"), (settings.Kind, settings.Endpoint, settings.Model));
    }

    [Fact]
    public void An_unknown_provider_is_refused_with_the_choices()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Choose("local", false, ("Llm:Provider", "gpt")));
        Assert.Contains("Auto, None, Ollama, LlamaSharp", error.Message);
    }

    [Theory]
    [InlineData("llama3", "llama3")]
    [InlineData("llama3:8b", "llama3-8b")]
    [InlineData("library/Phi3:mini", "library-phi3-mini")]
    public void Model_names_become_resource_names(string model, string name) =>
        Assert.Equal(name, LanguageModelSettings.ModelResourceName(model));

    private static LanguageModelSettings Choose(string mode, bool ollamaInstalled, params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Where(s => s.Value is not null).Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var infra = mode == "container" ? InfraMode.Container : InfraMode.Local;
        return LanguageModelSettings.From(configuration, "/repo", infra, command => ollamaInstalled && command == "ollama" ? "/usr/local/bin/ollama" : null);
    }

    public void Dispose() => File.Delete(_gguf);
}
