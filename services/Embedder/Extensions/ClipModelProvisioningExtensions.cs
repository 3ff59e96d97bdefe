using AspireMmRag.Embedder.ModelDownload;
using AspireMmRag.Embedder.Models;

namespace AspireMmRag.Embedder.Extensions;

public static class ClipModelProvisioningExtensions
{
    public static IServiceCollection AddClipModelProvisioning(this IServiceCollection services)
    {
        var downloads = services.AddHttpClient<ModelDownloader>(client =>
        {
            // Per-request deadline for connecting and headers; the body of a 350 MB file is bounded by the
            // downloader's own overall deadline (Models:DownloadTimeout), not by this.
            client.Timeout = TimeSpan.FromMinutes(2);
            client.DefaultRequestHeaders.UserAgent.ParseAdd("AspireMmRag-Embedder/1.0");
        });
        // The standard resilience handler (ServiceDefaults) caps a request at 30 s: far too short for model files.
#pragma warning disable EXTEXP0001 // marked experimental; it is the documented way to opt one client out of the defaults.
        downloads.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        services.AddSingleton<IClipModelProvisioner, ClipModelProvisioner>();
        return services;
    }
}
