using System.Text.Json;
using Drex.Model.Keywords;

namespace Drex.Model.Tests.Keywords;

public sealed class KeywordProfileTests
{
    [Fact]
    public void Add_SameWordTwice_AccumulatesWeight()
    {
        var profile = new KeywordProfile();

        profile.Add("tone", 0.25f);
        profile.Add([("tone", 0.5f), ("strings", 0.125f)]);

        Assert.Equal(0.75f, profile.WeightOf("tone"));
        Assert.Equal(2, profile.Count);
    }

    [Fact]
    public void Add_PastCapacity_DropsLightestWord()
    {
        var profile = new KeywordProfile(capacity: 3);
        profile.Add("a1", 3f);
        profile.Add("b1", 1f);
        profile.Add("c1", 2f);

        profile.Add("d1", 1.5f);
        profile.Add("e1", 0.5f);

        Assert.Equal([new("a1", 3f), new("c1", 2f), new("d1", 1.5f)], profile.Entries);
    }

    [Fact]
    public void Add_PastCapacityWithTiedWeights_DropsLastInOrdinalOrder()
    {
        var profile = new KeywordProfile(capacity: 2);
        profile.Add("beta", 1f);
        profile.Add("alpha", 1f);

        profile.Add("gamma", 1f);

        Assert.Equal([new("alpha", 1f), new("beta", 1f)], profile.Entries);
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Add_InvalidWeight_Throws(float weight)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeywordProfile().Add("tone", weight));
    }

    [Fact]
    public void Top_FewerThanHeld_GivesHeaviestFirstWithTiesByWord()
    {
        var profile = new KeywordProfile();
        profile.Add([("pedal", 1f), ("amp", 2f), ("cable", 2f), ("tuner", 0.5f)]);

        Assert.Equal([new("amp", 2f), new("cable", 2f), new("pedal", 1f)], profile.Top(3));
    }

    [Fact]
    public void Explain_OverlappingProfiles_RanksSharedWordsByGeometricMean()
    {
        var user = new KeywordProfile();
        user.Add([("tone", 4f), ("strings", 1f), ("cheap", 9f), ("warm", 2f)]);
        var item = new KeywordProfile();
        item.Add([("tone", 1f), ("strings", 16f), ("warm", 2f), ("loud", 5f)]);

        var matches = KeywordProfile.Explain(user, item, 2);

        Assert.Equal([new KeywordMatch("strings", 4f, 1f, 16f), new KeywordMatch("tone", 2f, 4f, 1f)], matches);
    }

    [Fact]
    public void Explain_NoSharedWord_GivesNothing()
    {
        var user = new KeywordProfile();
        user.Add("tone", 1f);
        var item = new KeywordProfile();
        item.Add("cable", 1f);

        Assert.Empty(KeywordProfile.Explain(user, item, 5));
    }

    [Fact]
    public void Serialize_RoundTripThroughJson_KeepsCapacityAndEntries()
    {
        var profile = new KeywordProfile(capacity: 8);
        profile.Add([("tone", 0.75f), ("strings", 0.5f)]);

        var json = JsonSerializer.Serialize(profile);
        var restored = JsonSerializer.Deserialize<KeywordProfile>(json)!;

        Assert.Equal("""{"Capacity":8,"Entries":[{"Word":"tone","Weight":0.75},{"Word":"strings","Weight":0.5}]}""", json);
        Assert.Equal(8, restored.Capacity);
        Assert.Equal(profile.Entries, restored.Entries);
    }
}
