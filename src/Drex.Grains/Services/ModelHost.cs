using System.Collections.Concurrent;
using System.Diagnostics;
using Drex.Contracts;
using Drex.Storage;
using Microsoft.Extensions.Logging;

namespace Drex.Grains.Services;

/// <summary>
/// The per-silo model host: downloads, validates and warms bundles, and swaps the served version atomically.
/// A bundle that fails to load is refused and the previous version keeps serving (LastError says why).
/// </summary>
public sealed partial class ModelHost(IBundleStore store, ReviewEncodingService encoder, IGrainFactory grains, ILogger<ModelHost> logger)
    : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<LoadedModel>>> _loaded = new(StringComparer.Ordinal);
    private volatile LoadedModel? _current;

    /// <summary>The version this silo serves now, or null before the first model.</summary>
    public LoadedModel? Current => _current;

    /// <summary>The last load failure (version and message), cleared by the next successful swap.</summary>
    public string? LastError { get; private set; }

    /// <summary>Raised after a swap with the new version.</summary>
    public event Action<LoadedModel>? Swapped;

    /// <summary>The served model; asks the registry when this silo has none yet. Throws when nothing was ever published.</summary>
    public async Task<LoadedModel> GetCurrentAsync()
    {
        if (_current is { } current)
        {
            return current;
        }

        await RefreshAsync();
        return _current ?? throw new NoModelException();
    }

    /// <summary>A specific version (loaded once per silo and kept while it may still be asked for).</summary>
    public Task<LoadedModel> GetAsync(string version) =>
        _loaded.GetOrAdd(version, v => new Lazy<Task<LoadedModel>>(() => LoadAsync(v))).Value;

    /// <summary>Makes this silo serve the registry's active version (no-op when it already does).</summary>
    public async Task RefreshAsync()
    {
        var target = await grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry).GetTargetAsync();
        if (target.Upcoming is { } upcoming && upcoming != _current?.Version)
        {
            Prefetch(upcoming);
        }

        if (target.Active is not { } active || _current?.Version == active)
        {
            return;
        }

        try
        {
            var model = await GetAsync(active);
            var previous = _current;
            _current = model;
            // Keep the served and the previous version loaded (in-flight calls and a quick rollback); older ones are
            // dropped from the cache, not disposed: a call that still holds one finishes on it, then the GC frees it.
            foreach (var version in _loaded.Keys.Where(v => v != model.Version && v != previous?.Version).ToArray())
            {
                _loaded.TryRemove(version, out _);
            }

            LastError = null;
            LogSwapped(active);
            Swapped?.Invoke(model);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException)
        {
            _loaded.TryRemove(active, out _);
            LastError = $"{active}: {e.Message}";
            LogLoadFailed(e, active, _current?.Version ?? "none");
        }
    }

    /// <summary>Starts loading a version the registry is about to activate; a failure is logged, and retried if it becomes active.</summary>
    private void Prefetch(string version)
    {
        if (_loaded.ContainsKey(version))
        {
            return;
        }

        GetAsync(version).ContinueWith(
            t => LogPrefetchFailed(t.Exception!.GetBaseException(), version),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>Downloads, verifies and warms a version without serving it (what publishing checks).</summary>
    public Task<LoadedModel> ValidateAsync(string version) => GetAsync(version);

    public void Dispose()
    {
        foreach (var lazy in _loaded.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                lazy.Value.Result.Dispose();
            }
        }
    }

    private async Task<LoadedModel> LoadAsync(string version)
    {
        try
        {
            var watch = Stopwatch.StartNew();
            var bundle = await store.DownloadAsync(version);
            if (bundle.Manifest.Encoder != encoder.Identity)
            {
                throw new InvalidDataException(
                    $"Bundle {version} was trained with encoder '{bundle.Manifest.Encoder}'; this silo runs '{encoder.Identity}'.");
            }

            var downloaded = watch.Elapsed;
            var model = new LoadedModel(bundle);
            var built = watch.Elapsed;
            // Warm up: the encoder's first ONNX Runtime call is slow, and the row graphs' first runs compile; make them
            // before the model takes traffic.
            var feature = model.Runtime.Encode(new Model.Runtime.InteractionInput(new float[model.Settings.TextDim], 1, model.Settings.RatingMax)).Feature;
            model.Runtime.StepUser(feature, model.UserInitial);
            model.Runtime.StepItem(feature, model.ItemInitial);
            model.Runtime.Predict(model.UserInitial, 0, model.ItemInitial, 0);
            LogLoaded(version, bundle.Snapshot.Items.Count, watch.ElapsedMilliseconds, (long)downloaded.TotalMilliseconds,
                (long)(built - downloaded).TotalMilliseconds, (long)(watch.Elapsed - built).TotalMilliseconds);
            return model;
        }
        catch
        {
            _loaded.TryRemove(version, out _);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Loaded model {Version} ({Items} items) in {TotalMs} ms: download and checks {DownloadMs} ms, lookups and index {BuildMs} ms, warm-up {WarmUpMs} ms")]
    private partial void LogLoaded(string version, int items, long totalMs, long downloadMs, long buildMs, long warmUpMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {Version}")]
    private partial void LogSwapped(string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not preload model {Version}, which the registry is validating")]
    private partial void LogPrefetchFailed(Exception e, string version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not load model {Version}; still serving {Serving}")]
    private partial void LogLoadFailed(Exception e, string version, string serving);
}
