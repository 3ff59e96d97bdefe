using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Apis;

/// <summary>What an endpoint does, for <see cref="ApiKeyFilter"/>: reads need the key only with
/// <see cref="GatewayOptions.RequireKeyForReads"/>, writes whenever <see cref="GatewayOptions.ApiKey"/> is set.</summary>
public enum ApiAccess
{
    Read,
    Write,
}

/// <summary>
/// Checks the <c>X-Api-Key</c> header against <see cref="GatewayOptions.ApiKey"/>: missing → 401, wrong → 403, both as
/// problem+json. The comparison takes the same time whatever the key (both sides are hashed, then compared in constant time).
/// </summary>
public sealed class ApiKeyFilter(ApiAccess access) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptionsMonitor<GatewayOptions>>().CurrentValue;
        if (string.IsNullOrEmpty(options.ApiKey) || access == ApiAccess.Read && !options.RequireKeyForReads)
        {
            return await next(context);
        }
        var given = http.Request.Headers[HeaderName].ToString();
        if (given.Length == 0)
        {
            http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{HeaderName}\"";
            return SearchApi.Problem(StatusCodes.Status401Unauthorized, "API key required",
                $"This endpoint needs the gateway's API key in the {HeaderName} header (the value of Gateway:ApiKey).");
        }
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(options.ApiKey))))
        {
            return SearchApi.Problem(StatusCodes.Status403Forbidden, "Wrong API key", $"The {HeaderName} header does not hold the gateway's API key.");
        }
        return await next(context);
    }
}

public static class ApiKeyEndpointExtensions
{
    /// <summary>Puts <see cref="ApiKeyFilter"/> in front of the endpoints of <paramref name="builder"/>.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, ApiAccess access) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new ApiKeyFilter(access));
}
