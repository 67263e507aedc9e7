using Drex.Contracts;

namespace Drex.Grains.Tests;

/// <summary>References from <see cref="GrainReferences"/> are the ones Orleans' GetGrain makes, and reach the same grains.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainReferencesTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Get_MakesWhatGetGrainMakes_ForStringAndIntegerKeys()
    {
        var references = new GrainReferences(fixture.Grains);
        var user = $"u-{Guid.NewGuid():N}";

        foreach (var _ in Enumerable.Range(0, 2)) // the second time from the resolved types
        {
            AssertSame(fixture.Grains.GetGrain<IUserGrain>(user), references.Get<IUserGrain>(user));
            AssertSame(fixture.Grains.GetGrain<IItemGrain>(user), references.Get<IItemGrain>(user));
            AssertSame(fixture.Grains.GetGrain<IItemIndexGrain>(3), references.Get<IItemIndexGrain>(3));
            AssertSame(fixture.Grains.GetGrain<IIngestGrain>(0), references.Get<IIngestGrain>(0));
        }

        Assert.NotEqual(references.Get<IUserGrain>(user).GetGrainId(), references.Get<IItemGrain>(user).GetGrainId());
        Assert.Equal(user, (await references.Get<IUserGrain>(user).GetViewAsync()).Id);
        Assert.Throws<ArgumentException>(() => references.Get<IUserGrain>(" "));
    }

    private static void AssertSame(IAddressable expected, IAddressable actual)
    {
        Assert.Equal(expected.GetGrainId(), actual.GetGrainId());
        Assert.Equal(((GrainReference)expected).InterfaceType, ((GrainReference)actual).InterfaceType);
        Assert.Equal(expected.GetType(), actual.GetType());
    }
}
