using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Drex.Grains.Services;

/// <summary>
/// Keeps this silo on the registry's active model: polls the registry (a cheap grain call) and lets the model
/// host download, validate, warm and swap a new version. Polling, rather than a push, survives registry
/// reactivation and silo restarts with no subscription to repair.
/// </summary>
public sealed partial class ModelRefreshService(ModelHost models, TimeProvider time, ILogger<ModelRefreshService> logger) : BackgroundService
{
    /// <summary>How often each silo asks the registry for the active version.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await models.RefreshAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The silo may still be starting, or the registry's silo may be gone; the next tick retries.
                LogRefreshFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Model refresh failed; retrying")]
    private partial void LogRefreshFailed(Exception e);
}
