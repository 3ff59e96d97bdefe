using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AspireMmRag.Media;

public static class MediaStoreExtensions
{
    /// <summary>The Aspire connection string name of the media store (<c>ConnectionStrings:media</c> = <c>Directory=/path</c>).</summary>
    public const string ConnectionName = "media";

    /// <summary>Registers <see cref="IMediaStore"/> (<see cref="FileSystemMediaStore"/>) with its directory from the
    /// <c>MediaStore</c> section, which <c>ConnectionStrings:media</c>'s <c>Directory</c> overrides when set.</summary>
    public static IHostApplicationBuilder AddMediaStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMediaStore(builder.Configuration);
        return builder;
    }

    /// <inheritdoc cref="AddMediaStore(IHostApplicationBuilder)"/>
    public static IServiceCollection AddMediaStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MediaStoreOptions>()
            .Bind(configuration.GetSection(MediaStoreOptions.SectionName))
            .Configure(options =>
            {
                if (configuration.GetConnectionString(ConnectionName) is { Length: > 0 } connectionString)
                {
                    var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
                    if (parts.TryGetValue("Directory", out var directory) && directory is string { Length: > 0 } path)
                    {
                        options.Directory = path;
                    }
                }
            });
        services.TryAddSingleton<IMediaStore, FileSystemMediaStore>();
        return services;
    }
}
