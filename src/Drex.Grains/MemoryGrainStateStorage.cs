using System.IO.Hashing;
using System.Runtime.InteropServices;
using Drex.Grains.Services;
using Orleans.Storage;

namespace Drex.Grains;

/// <summary>
/// Grain storage in memory, for dev clusters and tests: each state is kept as its serialized bytes in one of
/// <see cref="Partitions"/> partition grains spread over the cluster, so a grain that moves to another silo finds its
/// state (until the silo holding its partition stops; then grains carry on from what they hold). Writes check an ETag,
/// as durable storage does.
/// </summary>
/// <remarks>
/// Why not Orleans' <c>MemoryGrainStorage</c>: it hands each write to its storage grain as a mutable object, which
/// Orleans deep-copies; under 6,000 interactions/s that copy (and its reference tracking) took ~15% of the silo's
/// running time, on top of a new GUID per ETag. Here the bytes travel in an immutable message, which a call within
/// the silo passes without copying, and ETags count up.
/// <para>
/// Writes are group-committed per partition, as <c>GroupCommitTableGrainStorage</c> does for tables: a write goes out
/// at once when its partition has no call in flight, and the writes that arrive meanwhile go out together in the next
/// call, each with its own ETag check. Alone, a write costs one call as before; under load, a call carries many.
/// </para>
/// </remarks>
public sealed class MemoryGrainStateStorage(string name, IGrainFactory grains, IGrainStorageSerializer serializer) : IGrainStorage
{
    /// <summary>Partition grains the states are spread over.</summary>
    public const int Partitions = 16;

    private readonly PartitionWriter[] _partitions =
        [.. Enumerable.Range(0, Partitions).Select(n => new PartitionWriter(grains.GetGrain<IMemoryStatePartitionGrain>(n)))];

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        if (await PartitionOf(key).ReadAsync(key) is not { } stored)
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = serializer.Deserialize<T>(new BinaryData(stored.Data)) ?? Activator.CreateInstance<T>();
        grainState.ETag = stored.ETag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var data = serializer.Serialize(grainState.State).ToMemory();
        var result = await _partitions[IndexOf(key)].WriteAsync(key, new StoredGrainState(data, grainState.ETag));
        grainState.ETag = Accepted(result, "write", key, grainState.ETag);
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        Accepted(await PartitionOf(key).ClearAsync(key, grainState.ETag), "clear", key, grainState.ETag);
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private string Key(string stateName, GrainId grainId) => $"{name}/{stateName}/{grainId}";

    // The partition answers a conflict rather than throwing it: Orleans deactivates a grain whose call throws
    // InconsistentStateException, and a partition's activation holds its states.
    private static string? Accepted(ETagCheck check, string operation, string key, string? expected) => check.Accepted
        ? check.ETag
        : throw new InconsistentStateException(
            $"Memory grain storage: {operation} of '{key}' expected ETag '{expected}', but another write stored '{check.ETag}'.", check.ETag, expected);

    private IMemoryStatePartitionGrain PartitionOf(string key) => _partitions[IndexOf(key)].Partition;

    private static int IndexOf(string key) => (int)(XxHash32.HashToUInt32(MemoryMarshal.AsBytes(key.AsSpan())) % Partitions);

    /// <summary>One partition's writes: one call in flight, and the writes that wait for it go out together next.</summary>
    private sealed class PartitionWriter(IMemoryStatePartitionGrain partition)
    {
        private readonly GroupCommit<(string Key, StoredGrainState State), ETagCheck> _writes =
            new(batch => partition.WriteAsync([.. batch.Select(w => w.Key)], [.. batch.Select(w => w.State)]));

        /// <summary>The partition grain (reads and clears call it directly).</summary>
        public IMemoryStatePartitionGrain Partition => partition;

        public Task<ETagCheck> WriteAsync(string key, StoredGrainState state) => _writes.AddAsync((key, state));
    }
}

/// <summary>A stored state: its serialized bytes and its ETag (the ETag the writer expects, in a write).</summary>
[GenerateSerializer, Immutable, Alias("drex.stored-grain-state")]
public sealed record StoredGrainState([property: Id(0)] ReadOnlyMemory<byte> Data, [property: Id(1)] string? ETag);

/// <summary>Whether a write or clear was accepted, and the ETag now stored (null after a clear).</summary>
[GenerateSerializer, Immutable, Alias("drex.etag-check")]
public readonly record struct ETagCheck([property: Id(0)] bool Accepted, [property: Id(1)] string? ETag);

/// <summary>One partition of <see cref="MemoryGrainStateStorage"/>.</summary>
[Alias("drex.memory-state-partition")]
public interface IMemoryStatePartitionGrain : IGrainWithIntegerKey
{
    [Alias("read")]
    Task<StoredGrainState?> ReadAsync(string key);

    /// <summary>
    /// Stores each state, in order, when its ETag is the stored one (or nothing is stored): per write, accepted or not,
    /// with the ETag stored now.
    /// </summary>
    [Alias("write-batch")]
    Task<ETagCheck[]> WriteAsync(string[] keys, StoredGrainState[] states);

    /// <summary>Removes the state when the ETag is the stored one (or nothing is stored).</summary>
    [Alias("clear")]
    Task<ETagCheck> ClearAsync(string key, string? eTag);
}

/// <summary>Holds the states of one partition while its silo runs.</summary>
/// <remarks>
/// Each state is copied into a block the partition keeps for its key and overwrites in place while the state fits
/// (blocks grow to twice what they must hold): a write's bytes then die young, and what survives collections is the
/// blocks, not a fresh copy of every state written since the last one. Reads get a copy of their own.
/// </remarks>
[KeepAlive]
internal sealed class MemoryStatePartitionGrain : Grain, IMemoryStatePartitionGrain
{
    private const int MinimumBlock = 256;

    private readonly Dictionary<string, Stored> _states = new(StringComparer.Ordinal);

    // ETags of another activation of this partition (after its silo stopped) never match this one's.
    private readonly string _epoch = Guid.NewGuid().ToString("N")[..8];
    private long _writes;

    public Task<StoredGrainState?> ReadAsync(string key) => Task.FromResult(
        _states.TryGetValue(key, out var stored) ? new StoredGrainState(stored.Block.AsSpan(0, stored.Length).ToArray(), stored.ETag) : null);

    public Task<ETagCheck[]> WriteAsync(string[] keys, StoredGrainState[] states)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(states.Length, keys.Length);
        var checks = new ETagCheck[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            checks[i] = Write(keys[i], states[i]);
        }

        return Task.FromResult(checks);
    }

    private ETagCheck Write(string key, StoredGrainState state)
    {
        if (Conflict(key, state.ETag) is { } conflict)
        {
            return conflict;
        }

        var eTag = $"{_epoch}-{++_writes}";
        var data = state.Data.Span;
        if (!_states.TryGetValue(key, out var stored) || stored.Block.Length < data.Length)
        {
            stored = new Stored { Block = new byte[Math.Max(MinimumBlock, 2 * data.Length)] };
            _states[key] = stored;
        }

        data.CopyTo(stored.Block);
        (stored.Length, stored.ETag) = (data.Length, eTag);
        return new ETagCheck(true, eTag);
    }

    public Task<ETagCheck> ClearAsync(string key, string? eTag)
    {
        if (Conflict(key, eTag) is { } conflict)
        {
            return Task.FromResult(conflict);
        }

        _states.Remove(key);
        return Task.FromResult(new ETagCheck(true, null));
    }

    // A key this partition does not hold accepts any ETag: a grain whose state was lost with a stopped silo carries on
    // from the state it holds.
    private ETagCheck? Conflict(string key, string? eTag) =>
        _states.TryGetValue(key, out var stored) && stored.ETag != eTag ? new ETagCheck(false, stored.ETag) : null;

    private sealed class Stored
    {
        public required byte[] Block { get; init; }

        public int Length { get; set; }

        public string? ETag { get; set; }
    }
}
