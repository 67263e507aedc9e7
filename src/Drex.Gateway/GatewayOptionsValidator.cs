using Drex.Gateway.Security;
using Microsoft.Extensions.Options;

namespace Drex.Gateway;

/// <summary>Fails the start with a clear message when <c>Drex:Gateway</c> is inconsistent.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        if (!double.IsFinite(options.RatingMin) || !double.IsFinite(options.RatingMax) || options.RatingMin >= options.RatingMax)
        {
            failures.Add($"{GatewayOptions.Section}: RatingMin ({options.RatingMin}) must be below RatingMax ({options.RatingMax}).");
        }

        if (!double.IsFinite(options.RateLimit.PermitsPerSecond) || options.RateLimit.PermitsPerSecond <= 0)
        {
            failures.Add($"{GatewayOptions.Section}:RateLimit:PermitsPerSecond must be a positive number.");
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var entry = options.ApiKeys[i];
            if (string.IsNullOrWhiteSpace(entry.Key))
            {
                failures.Add($"{GatewayOptions.Section}:ApiKeys:{i}: the key is empty.");
            }
            else if (!keys.Add(entry.Key))
            {
                failures.Add($"{GatewayOptions.Section}:ApiKeys:{i}: the key is configured twice.");
            }

            if (entry.Roles.Count == 0)
            {
                failures.Add($"{GatewayOptions.Section}:ApiKeys:{i}: no roles (use {string.Join(", ", GatewayRoles.All)}).");
            }

            foreach (var role in entry.Roles.Where(r => !GatewayRoles.All.Contains(r)))
            {
                failures.Add($"{GatewayOptions.Section}:ApiKeys:{i}: unknown role '{role}' (use {string.Join(", ", GatewayRoles.All)}).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
