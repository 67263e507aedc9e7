using Orleans.Storage;

namespace Drex.Grains;

/// <summary>
/// An actor's state and the grain storage it lives in (<see cref="GrainStorage.Actors"/>), called directly instead of
/// through Orleans' <c>IPersistentState</c>. Same storage, keys and ETag checks; the actor orders its own reads and
/// writes (one write at a time, under its gate).
/// </summary>
/// <remarks>
/// Why: Orleans 10's state bridge queues every read and write behind a lock of its own and a forced yield to the
/// activation's scheduler, which the actor's ordering makes redundant. In a silo profile of the first seconds of
/// 3,000 interactions/s over fresh actors, contended locks took 22-24% of the silo's running samples, 45% of that
/// spent spinning for the bridge's lock (tests/benchmarks/results/storage-bridge/).
/// </remarks>
public sealed class ActorStorage(IGrainStorage storage, string stateName, GrainId grainId)
{
    private readonly GrainState<ActorState> _state = new(new ActorState());

    /// <summary>The state: as read when the actor activated, then as the actor changed it.</summary>
    public ActorState State => _state.State!;

    /// <summary>Whether storage holds a record of the actor (read, or written since).</summary>
    public bool RecordExists => _state.RecordExists;

    /// <summary>Reads the stored state; an actor never stored keeps a fresh one.</summary>
    public async Task ReadAsync()
    {
        await storage.ReadStateAsync(stateName, grainId, _state);
        _state.State ??= new ActorState();
    }

    /// <summary>Writes the state; completes when it is durable, or throws (a conflicting ETag: <see cref="InconsistentStateException"/>).</summary>
    public Task WriteAsync() => storage.WriteStateAsync(stateName, grainId, _state);
}
