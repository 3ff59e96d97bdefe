using System.Net.Http.Json;
using System.Text.Json;

namespace AspireMmRag.AppHost.Extensions;

/// <summary>What the dashboard offers on the gateway: a link to its web page and an "Ingest Wikipedia title…" command.</summary>
public static class GatewayCommandExtensions
{
    public const string IngestCommandName = "ingest-wikipedia";

    public static IResourceBuilder<ProjectResource> WithGatewayDashboardActions(this IResourceBuilder<ProjectResource> gateway,
        IResourceBuilder<ParameterResource> apiKey)
    {
        gateway.WithUrlForEndpoint("http", url => url.DisplayText = "Web page");
        return gateway.WithCommand(IngestCommandName, "Ingest Wikipedia title…", async context =>
            {
                var title = context.Arguments["title"].Value?.Trim();
                if (string.IsNullOrEmpty(title))
                {
                    return CommandResults.Failure("Give a Wikipedia title (or a https://en.wikipedia.org/wiki/… URL).");
                }
                var endpoint = gateway.Resource.GetEndpoint("http");
                using var http = new HttpClient { BaseAddress = new Uri(endpoint.Url), Timeout = TimeSpan.FromSeconds(30) };
                http.DefaultRequestHeaders.Add("X-Api-Key", await apiKey.Resource.GetValueAsync(context.CancellationToken));
                using var response = await http.PostAsJsonAsync("/api/ingest", new { wikipedia = new[] { title } }, context.CancellationToken);
                var body = await response.Content.ReadAsStringAsync(context.CancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    return CommandResults.Failure(Detail(body) ?? $"The gateway answered {(int)response.StatusCode}.");
                }
                return CommandResults.Success();
            },
            new CommandOptions
            {
                Description = "Crawls and indexes a Wikipedia page through POST /api/ingest; follow it at /api/ingest/{jobId}/events or on the web page.",
                IconName = "DocumentAdd",
                Arguments = [new InteractionInput { Name = "title", Label = "Wikipedia title or URL", InputType = InputType.Text, Required = true, Placeholder = "Helsinki" }],
                UpdateState = context => context.ResourceSnapshot.HealthStatus is Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                    ? ResourceCommandState.Enabled
                    : ResourceCommandState.Disabled,
            });
    }

    private static string? Detail(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
