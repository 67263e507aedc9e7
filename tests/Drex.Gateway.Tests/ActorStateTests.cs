using System.Net;
using Drex.Gateway.Tests.Infrastructure;
using static Drex.Gateway.Tests.Infrastructure.Problems;

namespace Drex.Gateway.Tests;

/// <summary>The admin-only state endpoints: the numbers the online-vs-offline check compares.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ActorStateTests(GatewayFixture fixture)
{
    [Fact]
    public async Task GetState_AfterIngest_ReturnsTheActorsVector()
    {
        var (user, item) = (Ids.New("u"), Ids.New("i"));
        using var ingest = fixture.Client(GatewayFactory.IngestKey);
        using var admin = fixture.Client(GatewayFactory.AdminKey);
        await ReadOkAsync<IngestResult>(await ingest.PostAsync("/api/interactions", Json($$"""{"userId":"{{user}}","itemId":"{{item}}","rating":3}""")));

        var state = await ReadOkAsync<ActorState>(await admin.GetAsync($"/api/users/{user}/state"));

        var vector = await fixture.Silo.Grains.GetGrain<Contracts.IUserGrain>(user).GetVectorAsync();
        Assert.Equal((user, GatewayFixture.ModelVersion, vector.Bias), (state.Id, state.ModelVersion, state.Bias));
        Assert.Equal(vector.State, state.State);
        var itemState = await ReadOkAsync<ActorState>(await admin.GetAsync($"/api/items/{item}/state"));
        Assert.Equal((await fixture.Silo.Grains.GetGrain<Contracts.IItemGrain>(item).GetVectorAsync()).State, itemState.State);
    }

    [Fact]
    public async Task GetState_ReadKey_Forbidden()
    {
        using var read = fixture.Client(GatewayFactory.ReadKey);
        using var response = await read.GetAsync($"/api/users/{Ids.New("u")}/state");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
