using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Drex.Gateway.Security;

/// <summary>A token bucket per API key (per client address for requests without a valid key); 429 as ProblemDetails.</summary>
public static class GatewayRateLimiting
{
    public const string PerKeyPolicy = "per-api-key";

    public static IServiceCollection AddGatewayRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = WriteRejectionAsync;
        });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayOptions>>((limiter, gateway) =>
        {
            var bucket = BucketOptions(gateway.Value.RateLimit);
            limiter.AddPolicy(PerKeyPolicy, context => RateLimitPartition.GetTokenBucketLimiter(PartitionKey(context), _ => bucket));
        });
        return services;
    }

    /// <summary>Whole tokens per period, the period stretched so that fractional rates (0.5/s) are exact.</summary>
    internal static TokenBucketRateLimiterOptions BucketOptions(RateLimitOptions rate)
    {
        var tokens = Math.Max(1, (int)Math.Round(rate.PermitsPerSecond));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = rate.Burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokens / rate.PermitsPerSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static string PartitionKey(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { } name }
            ? $"key:{name}"
            : $"address:{context.Connection.RemoteIpAddress}";

    private static async ValueTask WriteRejectionAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = "https://tools.ietf.org/html/rfc6585#section-4",
                Title = "Too many requests.",
                Detail = "This API key has used its request budget; retry later.",
            },
        });
    }
}
