using System.Collections.Concurrent;
using Orleans.Runtime;

namespace Drex.Contracts;

/// <summary>
/// References to grains by interface and key, as <see cref="IGrainFactory"/>'s <c>GetGrain&lt;T&gt;(key)</c> makes them,
/// with the grain type and interface type resolved once per interface instead of on every call.
/// </summary>
/// <remarks>
/// Orleans 10's <c>GetGrain&lt;T&gt;(key)</c> reads the interface's attributes through reflection each time to find its
/// grain interface type: in a profile of a silo ingesting 3,000 interactions/s, 3.8% of its running samples (7% of
/// them once idle spinning is left out). Every per-request path (ingestion, predictions, recommendations, an actor's
/// read, an item's index update, the log's appends) gets its references here; control-plane calls (the registry,
/// management) keep Orleans' own.
/// </remarks>
public sealed class GrainReferences(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<Type, (GrainType Type, GrainInterfaceType Interface)> _types = new();

    /// <summary>The grain of <typeparamref name="T"/> with a string key.</summary>
    public T Get<T>(string key)
        where T : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var (type, @interface) = _types.GetOrAdd(typeof(T), static (t, g) => Resolve(g.GetGrain(t, "resolve")), grains);
        return (T)grains.GetGrain(GrainId.Create(type, key), @interface);
    }

    /// <summary>The grain of <typeparamref name="T"/> with an integer key.</summary>
    public T Get<T>(long key)
        where T : IGrainWithIntegerKey
    {
        var (type, @interface) = _types.GetOrAdd(typeof(T), static (t, g) => Resolve(g.GetGrain(t, 0L)), grains);
        return (T)grains.GetGrain(GrainId.Create(type, GrainIdKeyExtensions.CreateIntegerKey(key)), @interface);
    }

    private static (GrainType, GrainInterfaceType) Resolve(IGrain probe) =>
        probe is GrainReference reference
            ? (reference.GrainId.Type, reference.InterfaceType)
            : throw new InvalidOperationException($"Orleans gave a {probe.GetType()} where a grain reference was expected.");
}
