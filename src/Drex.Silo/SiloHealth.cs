using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Drex.Silo;

/// <summary>
/// Follows the silo's lifecycle for the health endpoints: started once the silo has become active (grains can be
/// called), ready while it is active and not shutting down.
/// </summary>
internal sealed class SiloLifecycleHealth : ILifecycleParticipant<ISiloLifecycle>, IHealthCheck
{
    public const string Name = "silo";

    private volatile bool _active;
    private volatile bool _started;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloLifecycleHealth), ServiceLifecycleStage.Active,
            _ =>
            {
                (_active, _started) = (true, true);
                return Task.CompletedTask;
            },
            _ =>
            {
                _active = false;
                return Task.CompletedTask;
            });

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_active
            ? HealthCheckResult.Healthy("The silo is active.")
            : HealthCheckResult.Unhealthy(_started ? "The silo is shutting down." : "The silo is starting."));
}
