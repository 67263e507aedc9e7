namespace Drex.Gateway.Security;

/// <summary>The roles an API key can hold; <see cref="Admin"/> implies the others.</summary>
public static class GatewayRoles
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Ingest, Read, Admin };
}

/// <summary>Authorization policy names.</summary>
public static class GatewayPolicies
{
    public const string Ingest = "drex-ingest";
    public const string Read = "drex-read";
    public const string Admin = "drex-admin";
}
