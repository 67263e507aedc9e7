using System.Diagnostics.Metrics;

namespace Drex.Grains.Services;

/// <summary>Per-silo metrics (meter "Drex.Silo"): interactions, update latency, prequential MAE, model version.</summary>
public sealed class DrexMetrics : IDisposable
{
    public const string MeterName = "Drex.Silo";

    private readonly Meter _meter;
    private readonly Counter<long> _interactions;
    private readonly Counter<long> _duplicates;
    private readonly Histogram<double> _latency;
    private readonly Histogram<int> _batch;
    private readonly Counter<long> _pendingDropped;
    private long _errors;
    private double _errorSum;
    private string _version = "";

    public DrexMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _interactions = _meter.CreateCounter<long>("drex.interactions", description: "Interactions applied.");
        _duplicates = _meter.CreateCounter<long>("drex.interactions.duplicate", description: "Retried interactions that changed nothing.");
        _latency = _meter.CreateHistogram<double>("drex.interaction.duration", "ms", "Time to ingest one interaction (encode, log, both updates).");
        _batch = _meter.CreateHistogram<int>("drex.actor.write.updates", "{update}", "Updates an actor made durable with one state write (group commit).");
        _pendingDropped = _meter.CreateCounter<long>("drex.actor.pending.dropped", "{interaction}",
            "Pending interactions actors dropped, oldest first, to keep their state bounded while no model covered them (is the trainer running?).");
        _meter.CreateObservableGauge("drex.prequential.mae", () => PrequentialMae ?? double.NaN, description: "Mean absolute error of predictions made before each update.");
        _meter.CreateObservableGauge("drex.model.version", () => new Measurement<int>(1, new KeyValuePair<string, object?>("version", _version)));
    }

    /// <summary>Mean absolute error of this silo's prequential predictions so far.</summary>
    public double? PrequentialMae => Interlocked.Read(ref _errors) == 0 ? null : _errorSum / Interlocked.Read(ref _errors);

    public void Applied(TimeSpan elapsed, float? absoluteError, string version)
    {
        _interactions.Add(1);
        _latency.Record(elapsed.TotalMilliseconds);
        _version = version;
        if (absoluteError is { } e)
        {
            lock (_meter)
            {
                _errorSum += e;
                _errors++;
            }
        }
    }

    public void Duplicate() => _duplicates.Add(1);

    /// <summary>An actor wrote its state once for <paramref name="updates"/> applied updates.</summary>
    public void ActorWrite(int updates) => _batch.Record(updates);

    /// <summary>An actor dropped its oldest pending interactions to stay within <see cref="PendingLog.MaxBytes"/>.</summary>
    public void PendingDropped(int interactions) => _pendingDropped.Add(interactions);

    public void Dispose() => _meter.Dispose();
}
