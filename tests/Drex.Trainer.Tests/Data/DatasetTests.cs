using Drex.Model.Data;
using Drex.Trainer.Data;

namespace Drex.Trainer.Tests.Data;

public sealed class DatasetTests
{
    [Fact]
    public void Build_DuplicatePairs_KeepsLatestByTimestampAndCounts()
    {
        var dataset = Dataset.Build(
        [
            new Interaction("u1", "i1", 1f, "old", 10),
            new Interaction("u1", "i2", 2f, null, 11),
            new Interaction("u1", "i1", 5f, "new", 30),
            new Interaction("u1", "i1", 3f, "middle", 20),
        ]);

        Assert.Equal(
        [
            new Interaction("u1", "i2", 2f, null, 11),
            new Interaction("u1", "i1", 5f, "new", 30),
        ], dataset.Interactions);
        Assert.Equal(new DatasetPreparationReport(4, 2, 0, 0), dataset.Preparation);
    }

    [Fact]
    public void Build_DuplicatesWithEqualTimestamps_KeepsLaterRow()
    {
        var dataset = Dataset.Build([new Interaction("u", "i", 1f, null, 10), new Interaction("u", "i", 2f, null, 10)]);

        Assert.Equal([new Interaction("u", "i", 2f, null, 10)], dataset.Interactions);
    }

    [Fact]
    public void Build_DeduplicateOff_KeepsEveryRow()
    {
        var dataset = Dataset.Build(
            [new Interaction("u", "i", 1f, null, 10), new Interaction("u", "i", 2f, null, 10)],
            new DatasetOptions(Deduplicate: false));

        Assert.Equal(2, dataset.Count);
        Assert.Equal(0, dataset.Preparation.DuplicatesDropped);
    }

    [Fact]
    public void Build_KCore_IteratesUntilEveryUserAndItemHasK()
    {
        // With k = 2: u3 has one interaction and goes in round 1; that leaves i3 with one (from u1), so it goes in
        // round 2; that leaves u1 with one, so it goes in round 3. u2, u4 with i1, i2 form a 2-core.
        var dataset = Dataset.Build(
        [
            new Interaction("u1", "i1", 1f, null, 1),
            new Interaction("u1", "i3", 1f, null, 2),
            new Interaction("u3", "i3", 1f, null, 3),
            new Interaction("u2", "i1", 1f, null, 4),
            new Interaction("u2", "i2", 1f, null, 5),
            new Interaction("u4", "i1", 1f, null, 6),
            new Interaction("u4", "i2", 1f, null, 7),
        ], new DatasetOptions(KCore: 2));

        Assert.Equal(["u2", "u4"], dataset.UserIds);
        Assert.Equal(["i1", "i2"], dataset.ItemIds);
        Assert.Equal(new DatasetPreparationReport(7, 0, 3, 3), dataset.Preparation);
    }

    [Fact]
    public void Build_UnorderedInput_SortsChronologicallyWithStableTies()
    {
        var dataset = Dataset.Build(
        [
            new Interaction("u1", "i1", 1f, null, 30),
            new Interaction("u2", "i1", 2f, null, 10),
            new Interaction("u3", "i2", 3f, null, 30),
            new Interaction("u4", "i2", 4f, null, 10),
            new Interaction("u5", "i3", 5f, null, 20),
        ]);

        Assert.Equal(["u2", "u4", "u5", "u1", "u3"], dataset.Interactions.Select(x => x.UserId));
    }

    [Fact]
    public void Build_Interactions_IndexesDenselyInOrderOfFirstAppearance()
    {
        var dataset = Dataset.Build(
        [
            new Interaction("b", "y", 4f, null, 2),
            new Interaction("a", "x", 2f, null, 1),
            new Interaction("a", "y", 3.5f, null, 3),
        ]);

        Assert.Equal(["a", "b"], dataset.UserIds);
        Assert.Equal(["x", "y"], dataset.ItemIds);
        Assert.Equal([0, 1, 0], dataset.UserIndices);
        Assert.Equal([0, 1, 1], dataset.ItemIndices);
        Assert.Equal((1, 1), (dataset.UserIndex("b"), dataset.ItemIndex("y")));
        Assert.Equal((-1, -1), (dataset.UserIndex("zz"), dataset.ItemIndex("zz")));
        Assert.Equal(new RatingRange(2f, 4f), dataset.RatingRange);
    }

    [Fact]
    public void Build_NoRatings_RatingRangeIsNull()
    {
        var dataset = Dataset.Build([new Interaction("u", "i", null, "text", 1)]);

        Assert.Null(dataset.RatingRange);
    }

    [Fact]
    public void Clamp_ValueOutsideRange_ReturnsBound()
    {
        var range = new RatingRange(1f, 5f);

        Assert.Equal((1f, 5f, 3.5f), (range.Clamp(-2f), range.Clamp(9f), range.Clamp(3.5f)));
    }
}
