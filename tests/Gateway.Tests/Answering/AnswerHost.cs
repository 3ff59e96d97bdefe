using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Gateway.Tests.Answering;

/// <summary>A host with the service defaults and <see cref="LlmServiceExtensions.AddLanguageModel{TBuilder}"/>, as the gateway
/// registers them, configured only from <paramref name="settings"/>; started, so options are validated and warm-ups run.</summary>
internal sealed class AnswerHost(IHost host) : IAsyncDisposable
{
    public IServiceProvider Services => host.Services;
    public IAnswerGenerator Answers => host.Services.GetRequiredService<IAnswerGenerator>();
    public ILanguageModelStatus Status => host.Services.GetRequiredService<ILanguageModelStatus>();

    public static IHost Build(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = Environments.Development,
            ApplicationName = "Gateway.Tests",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDefaults();
        builder.AddLanguageModel();
        return builder.Build();
    }

    public static async Task<AnswerHost> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var host = Build(settings);
        await host.StartAsync();
        return new AnswerHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
