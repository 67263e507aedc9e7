using Drex.Contracts;
using Drex.Grains.Services;
using Microsoft.Extensions.Logging;

namespace Drex.Grains;

/// <summary>The registry's persistent state: every published version and the active one.</summary>
[GenerateSerializer, Alias("drex.registry-state")]
public sealed class RegistryState
{
    [Id(0)] public List<ModelInfo> Versions { get; set; } = [];

    [Id(1)] public string? Active { get; set; }
}

/// <summary>
/// The model registry. Publishing downloads and fully validates the bundle on this silo (checksums, graphs,
/// encoder identity, a warm-up run, a watermark within the interaction log) before it becomes active; a bundle that
/// fails is refused and nothing changes.
/// Silos pick up the active version by polling (ModelRefreshService); while a version is being validated the poll
/// names it too, so every silo loads it in parallel with the validation instead of after it, and the item-index
/// partitions build their rows of it before it becomes active.
/// </summary>
public sealed partial class ModelRegistryGrain(
    [PersistentState("registry", GrainStorage.Name)] IPersistentState<RegistryState> state, ModelHost models,
    ILogger<ModelRegistryGrain> logger)
    : Grain, IModelRegistryGrain
{
    public Task<ModelInfo?> GetCurrentAsync() =>
        Task.FromResult(state.State.Versions.Find(v => v.Version == state.State.Active) is { } info ? info with { Active = true } : null);

    private string? _upcoming;

    public Task<ModelTarget> GetTargetAsync() => Task.FromResult(new ModelTarget(state.State.Active, _upcoming));

    public Task<ModelInfo[]> GetVersionsAsync() =>
        Task.FromResult(state.State.Versions.OrderByDescending(v => v.PublishedAt)
            .Select(v => v with { Active = v.Version == state.State.Active }).ToArray());

    public async Task<ModelInfo> PublishAsync(string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var model = await ValidateAsync(version);
        var manifest = model.Bundle.Manifest;
        var info = new ModelInfo(
            version, DateTimeOffset.UtcNow, manifest.Settings.Head.ToString(), manifest.Watermark.LastSequence,
            manifest.Watermark.Interactions, manifest.Validation?.Mae, manifest.Validation?.Mse, Active: true);
        state.State.Versions.RemoveAll(v => v.Version == version);
        state.State.Versions.Add(info);
        state.State.Active = version;
        await state.WriteStateAsync();
        // This silo has the model loaded already: serve it now rather than at the next poll.
        await models.RefreshAsync();
        return info;
    }

    public async Task<ModelInfo> ActivateAsync(string version)
    {
        var info = state.State.Versions.Find(v => v.Version == version)
            ?? throw new KeyNotFoundException($"Model version '{version}' was never published.");
        await ValidateAsync(version);
        state.State.Active = version;
        await state.WriteStateAsync();
        await models.RefreshAsync();
        return info with { Active = true };
    }

    private async Task<LoadedModel> ValidateAsync(string version)
    {
        _upcoming = version;
        try
        {
            var model = await models.ValidateAsync(version);
            // Actors take every sequence up to the watermark as in the model's snapshot (a retry is a duplicate, a
            // rebase drops its pending entries): a model trained on another log would swallow new interactions.
            var (watermark, head) = (model.Watermark, await GrainFactory.GetGrain<IInteractionLogGrain>(DrexKeys.Log).GetHeadAsync());
            if (watermark > head)
            {
                throw new InvalidDataException(
                    $"Model {version} covers the interaction log up to sequence {watermark}, but the log ends at {head}: it was trained on another log.");
            }

            await Task.WhenAll(Enumerable.Range(0, model.IndexPartitions.Count).Select(p => PrepareAsync(p, version)));
            return model;
        }
        finally
        {
            _upcoming = null;
        }
    }

    /// <summary>
    /// Has an index partition build its rows of the version before it is served. Best effort: a partition that could
    /// not (its silo failed to load the model, or went away) builds them on its first query instead.
    /// </summary>
    private async Task PrepareAsync(int partition, string version)
    {
        try
        {
            await GrainFactory.GetGrain<IItemIndexGrain>(partition).PrepareAsync(version);
        }
        catch (Exception e)
        {
            LogPrepareFailed(e, partition, version);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Item index partition {Partition} could not prepare model {Version}; it will build its rows on its first query")]
    private partial void LogPrepareFailed(Exception e, int partition, string version);
}
