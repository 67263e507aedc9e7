using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Drex.Gateway.Security;

/// <summary>A configured API key as the gateway knows it: a name and roles, never the secret.</summary>
public sealed record ApiKeyIdentity(string Name, IReadOnlyList<string> Roles);

/// <summary>
/// The configured API keys, looked up by the SHA-256 of the presented key so the secrets are not kept in memory and the
/// lookup takes the same time whatever the key. In Development, three keys stand in when none are configured.
/// </summary>
public sealed class ApiKeyStore
{
    public static readonly IReadOnlyList<ApiKeyEntry> DevelopmentKeys =
    [
        new() { Key = "dev-ingest", Name = "dev-ingest", Roles = [GatewayRoles.Ingest] },
        new() { Key = "dev-read", Name = "dev-read", Roles = [GatewayRoles.Read] },
        new() { Key = "dev-admin", Name = "dev-admin", Roles = [GatewayRoles.Admin] },
    ];

    private readonly Dictionary<string, ApiKeyIdentity> _byHash;

    public ApiKeyStore(IOptions<GatewayOptions> options, IHostEnvironment environment, ILogger<ApiKeyStore> logger)
    {
        var entries = options.Value.ApiKeys;
        if (entries.Count == 0 && environment.IsDevelopment())
        {
            entries = [.. DevelopmentKeys];
            logger.LogWarning("No API keys are configured: using the development keys dev-ingest, dev-read and dev-admin.");
        }
        else if (entries.Count == 0)
        {
            logger.LogWarning("No API keys are configured ({Section}:ApiKeys): every API request will be refused.", GatewayOptions.Section);
        }

        _byHash = new Dictionary<string, ApiKeyIdentity>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var name = string.IsNullOrWhiteSpace(entry.Name) ? $"key-{i}" : entry.Name;
            _byHash[Hash(entry.Key)] = new ApiKeyIdentity(name, [.. entry.Roles.Distinct(StringComparer.Ordinal)]);
        }
    }

    public bool TryFind(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ApiKeyIdentity? identity) =>
        _byHash.TryGetValue(Hash(key), out identity);

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
