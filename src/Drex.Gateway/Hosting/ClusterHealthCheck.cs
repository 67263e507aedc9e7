using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Drex.Gateway.Hosting;

/// <summary>Ready when the cluster answers and reports at least one active silo.</summary>
internal sealed class ClusterHealthCheck(IClusterClient cluster) : IHealthCheck
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var hosts = await cluster.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(_timeout, cancellationToken);
            return hosts.Count > 0
                ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s).")
                : HealthCheckResult.Unhealthy("The cluster has no active silo.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The cluster does not answer.", exception);
        }
    }
}
