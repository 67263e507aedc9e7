using System.ComponentModel.DataAnnotations;

namespace Drex.Gateway;

/// <summary>The gateway's settings (configuration section <c>Drex:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Drex:Gateway";

    /// <summary>The lowest rating accepted.</summary>
    public double RatingMin { get; set; } = 1;

    /// <summary>The highest rating accepted.</summary>
    public double RatingMax { get; set; } = 5;

    /// <summary>The longest review accepted, in UTF-16 characters.</summary>
    [Range(1, 1_000_000)]
    public int MaxReviewLength { get; set; } = 20_000;

    /// <summary>The most interactions one batch request may carry.</summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>The largest body accepted for one interaction, in bytes.</summary>
    [Range(1_024, long.MaxValue)]
    public long MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>The largest body accepted for a batch of interactions, in bytes.</summary>
    [Range(1_024, long.MaxValue)]
    public long MaxBatchBodyBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>The API keys and their roles.</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>The per-key token bucket.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// Maps <c>POST /api/diagnostics/noop-interactions</c>: ingestion's path to a no-op grain pair, the ceiling the
    /// ingestion benchmark measures against. Off by default.
    /// </summary>
    public bool Diagnostics { get; set; }
}

/// <summary>One API key with its roles (<c>ingest</c>, <c>read</c>, <c>admin</c>).</summary>
public sealed class ApiKeyEntry
{
    /// <summary>The secret a client sends in <c>X-Api-Key</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>A name for logs and rate-limit partitions (never the key itself); defaults to <c>key-N</c>.</summary>
    public string? Name { get; set; }

    public List<string> Roles { get; set; } = [];
}

/// <summary>A token bucket per API key: <see cref="Burst"/> tokens, refilled at <see cref="PermitsPerSecond"/>.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Sustained requests per second per key; fractions are allowed (0.5 = one every two seconds).</summary>
    public double PermitsPerSecond { get; set; } = 100;

    /// <summary>The bucket size: requests a key may make at once.</summary>
    [Range(1, int.MaxValue)]
    public int Burst { get; set; } = 200;
}
