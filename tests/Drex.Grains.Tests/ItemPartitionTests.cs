using System.Text;
using Drex.Grains.Services;
using Drex.Model.Bundle;

namespace Drex.Grains.Tests;

public sealed class ItemPartitionTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(10_000, 1)]
    [InlineData(ItemPartition.ItemsPerPartition, 1)]
    [InlineData(ItemPartition.ItemsPerPartition + 1, 2)]
    [InlineData(1_000_000, ItemPartition.MaxPartitions)]
    public void CountFor_OnePartitionPerShare_AtMostTheMaximum(int items, int partitions) =>
        Assert.Equal(partitions, ItemPartition.CountFor(items));

    [Fact]
    public void Split_PutsEveryItemInItsOwnPartition_WithItsStateBiasAndKeywords()
    {
        var items = Enumerable.Range(0, (2 * ItemPartition.ItemsPerPartition) + 7)
            .Select(k => new ActorRecord($"item-{k}", [k, k + 0.5f, -k], k / 10f, 1, 1, [new($"word-{k}", k)])).ToArray();

        var partitions = ItemPartition.Split([.. items]);

        Assert.Equal(3, partitions.Length);
        Assert.Equal(items.Length, partitions.Sum(p => p.Count));
        Assert.All(partitions, p => Assert.InRange(p.Count, items.Length / 4, items.Length / 2));
        var byId = items.ToDictionary(i => i.Id);
        for (var p = 0; p < partitions.Length; p++)
        {
            for (var slot = 0; slot < partitions[p].Count; slot++)
            {
                var item = byId[partitions[p].Id(slot)];
                Assert.Equal(p, ItemPartition.Of(item.Id, partitions.Length));
                var state = new float[item.State.Length];
                partitions[p].CopyState(slot, state);
                Assert.Equal(item.State, state);
                Assert.Equal(item.Bias, partitions[p].Bias(slot));
                Assert.Equal(item.Keywords, partitions[p].Keywords(slot));
                Assert.Equal(slot, partitions[p].SlotOf(item.Id));
                Assert.Equal(-1, partitions[(p + 1) % partitions.Length].SlotOf(item.Id));
            }
        }
    }

    [Fact]
    public void Of_IsStableAcrossProcesses_AndRefusesNoPartitions()
    {
        // FNV-1a of the id's UTF-16 code units (values worked out by hand): the same partition in every silo and every run.
        Assert.Equal(7, ItemPartition.Of("i1", 8));
        Assert.Equal(5, ItemPartition.Of("item-42", 7));
        Assert.Equal(4, ItemPartition.Of("ütem-7", 7));
        Assert.Equal(0, ItemPartition.Of("anything", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ItemPartition.Of("i1", 0));
    }

    [Fact]
    public void Of_AnIdAsUtf8_IsThePartitionOfTheString()
    {
        foreach (var id in new[] { "i1", "ütem-7", "日本-3", "", new string('x', 300) + "é" })
        {
            Assert.Equal(ItemPartition.Of(id, 7), ItemPartition.Of(Encoding.UTF8.GetBytes(id), 7));
        }
    }
}
