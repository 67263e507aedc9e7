using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Model.Bundle;

namespace Drex.Grains.Tests;

public sealed class ItemPartitionTests
{
    [Fact]
    public void Split_PutsEveryItemInItsOwnPartition_WithItsStateAndBias()
    {
        var items = Enumerable.Range(0, 500).Select(k => new ActorRecord($"item-{k}", [k, k + 0.5f, -k], k / 10f, 1, [])).ToArray();

        var partitions = ItemPartition.Split([.. items]);

        Assert.Equal(DrexKeys.IndexPartitions, partitions.Length);
        Assert.Equal(items.Length, partitions.Sum(p => p.Count));
        Assert.All(partitions, p => Assert.NotEqual(0, p.Count));
        for (var p = 0; p < partitions.Length; p++)
        {
            for (var slot = 0; slot < partitions[p].Count; slot++)
            {
                var item = items.Single(i => i.Id == partitions[p].Id(slot));
                Assert.Equal(p, ItemPartition.Of(item.Id));
                Assert.Equal(item.State, partitions[p].State(slot).ToArray());
                Assert.Equal(item.Bias, partitions[p].Bias(slot));
            }
        }
    }
}
