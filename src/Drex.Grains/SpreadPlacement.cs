using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Drex.Grains;

/// <summary>
/// Places a grain with an integer key on the silo at that key's position, modulo their count, in the ordered list of
/// compatible silos: keys 0..n-1 land on as many different silos as there are, n / silos on each. For the item-index
/// partitions, which a large model's query scans in parallel: random placement put 7 of 8 on one silo of two in a
/// run, and the default (resource-optimized, preferring the calling silo) all of them on the registry's silo, which
/// prepares every partition when a model is published. Only placement moves with membership: an active partition
/// stays where it is until it deactivates.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SpreadPlacement : PlacementStrategy;

/// <summary>Places the grain class with <see cref="SpreadPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SpreadPlacementAttribute() : PlacementAttribute(new SpreadPlacement());

/// <summary>The director of <see cref="SpreadPlacement"/>.</summary>
public sealed class SpreadPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        // Sorted, so that every silo maps a key to the same silo.
        var silos = context.GetCompatibleSilos(target).Order().ToArray();
        var key = target.GrainIdentity.GetIntegerKey();
        return Task.FromResult(silos[(int)((ulong)key % (ulong)silos.Length)]);
    }
}
