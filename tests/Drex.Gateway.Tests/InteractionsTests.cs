using System.Net;
using Drex.Gateway.Tests.Infrastructure;
using static Drex.Gateway.Tests.Infrastructure.Problems;

namespace Drex.Gateway.Tests;

/// <summary>Ingestion through the gateway into the real grains, then every read endpoint over what was ingested.</summary>
[Collection(GatewayCollection.Name)]
public sealed class InteractionsTests(GatewayFixture fixture)
{
    private const string Review = "Great guitar strings, no cable noise at all.";

    [Fact]
    public async Task Post_ThenReadUserItemPredictionRecommendations_Consistent()
    {
        var (user, item) = (Ids.New("u"), Ids.New("i"));
        using var ingest = fixture.Client(GatewayFactory.IngestKey);
        using var read = fixture.Client(GatewayFactory.ReadKey);
        var head = await fixture.LogHeadAsync();

        var result = await ReadOkAsync<IngestResult>(await ingest.PostAsync("/api/interactions",
            Json($$"""{"userId":"{{user}}","itemId":"{{item}}","rating":4.5,"review":"{{Review}}","timestamp":1700000000}""")));

        Assert.Matches("^[0-9a-f]{32}$", result.Id);
        Assert.False(result.Duplicate);
        Assert.Equal(GatewayFixture.ModelVersion, result.ModelVersion);
        Assert.True(result.Prediction is { } p && float.IsFinite(p));
        Assert.True(result.Sequence > head);

        var profile = await ReadOkAsync<ActorProfile>(await read.GetAsync($"/api/users/{user}"));
        Assert.Equal((user, 1, 1, GatewayFixture.ModelVersion), (profile.Id, profile.Interactions, profile.Ratings, profile.ModelVersion));
        Assert.Contains(profile.Keywords, k => k.Word == "guitar" && k.Weight > 0);
        Assert.Equal(Math.Abs(4.5 - result.Prediction!.Value), profile.PrequentialMae!.Value, 4);

        var itemProfile = await ReadOkAsync<ActorProfile>(await read.GetAsync($"/api/items/{item}"));
        Assert.Equal((item, 1, 1), (itemProfile.Id, itemProfile.Interactions, itemProfile.Ratings));
        Assert.Contains(itemProfile.Keywords, k => k.Word == "guitar");

        var prediction = await ReadOkAsync<Prediction>(await read.GetAsync($"/api/users/{user}/predictions/{item}"));
        Assert.Equal((user, item, GatewayFixture.ModelVersion), (prediction.UserId, prediction.ItemId, prediction.ModelVersion));
        Assert.True(float.IsFinite(prediction.Rating));
        Assert.Contains(prediction.Explanation, m => m.Word == "guitar" && m.Score > 0 && m.UserWeight > 0 && m.ItemWeight > 0);

        var mine = await ReadOkAsync<Recommendations>(await read.GetAsync($"/api/users/{user}/recommendations?k=100"));
        Assert.Equal(user, mine.UserId);
        Assert.DoesNotContain(mine.Items, p => p.ItemId == item);
        Assert.InRange(mine.Items.Length, 1, 100);
        Assert.Equal(mine.Items.OrderByDescending(p => p.Rating).Select(p => p.ItemId), mine.Items.Select(p => p.ItemId));

        var someoneElse = Ids.New("u");
        using var other = await ingest.PostAsync("/api/interactions",
            Json($$"""{"userId":"{{someoneElse}}","itemId":"{{Ids.New("i")}}","review":"My guitar needed these strings."}"""));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var theirs = await ReadOkAsync<Recommendations>(await read.GetAsync($"/api/users/{someoneElse}/recommendations?k=100"));
        var recommended = Assert.Single(theirs.Items, p => p.ItemId == item);
        Assert.Contains(recommended.Explanation, m => m.Word == "guitar");
    }

    [Fact]
    public async Task Recommendations_DefaultK_AtMostTen()
    {
        using var read = fixture.Client(GatewayFactory.ReadKey);

        var recommendations = await ReadOkAsync<Recommendations>(await read.GetAsync($"/api/users/{Ids.New("u")}/recommendations"));

        Assert.InRange(recommendations.Items.Length, 1, 10);
        Assert.All(recommendations.Items, p => Assert.True(float.IsFinite(p.Rating)));
    }

    [Fact]
    public async Task Post_SameIdTwice_SecondIsDuplicateAndChangesNoCounts()
    {
        var (user, item, id) = (Ids.New("u"), Ids.New("i"), Ids.New("interaction"));
        using var ingest = fixture.Client(GatewayFactory.IngestKey);
        var body = $$"""{"id":"{{id}}","userId":"{{user}}","itemId":"{{item}}","rating":2,"review":"{{Review}}"}""";

        var first = await ReadOkAsync<IngestResult>(await ingest.PostAsync("/api/interactions", Json(body)));
        var user1 = await fixture.Silo.Grains.GetGrain<Contracts.IUserGrain>(user).GetVectorAsync();
        var retry = await ReadOkAsync<IngestResult>(await ingest.PostAsync("/api/interactions", Json(body)));

        Assert.Equal((id, false), (first.Id, first.Duplicate));
        Assert.Equal((id, true, first.Prediction, first.ModelVersion), (retry.Id, retry.Duplicate, retry.Prediction, retry.ModelVersion));
        Assert.Equal((1, 1), Counts(await fixture.UserAsync(user)));
        Assert.Equal((1, 1), Counts(await fixture.ItemAsync(item)));
        Assert.Equal(user1.State, (await fixture.Silo.Grains.GetGrain<Contracts.IUserGrain>(user).GetVectorAsync()).State);
    }

    [Fact]
    public async Task Post_SameIdTwice_FirstSequenceAndLogDoesNotMove()
    {
        var (user, item, id) = (Ids.New("u"), Ids.New("i"), Ids.New("interaction"));
        using var ingest = fixture.Client(GatewayFactory.IngestKey);
        var body = $$"""{"id":"{{id}}","userId":"{{user}}","itemId":"{{item}}","rating":2}""";

        var first = await ReadOkAsync<IngestResult>(await ingest.PostAsync("/api/interactions", Json(body)));
        var head = await fixture.LogHeadAsync();
        var retry = await ReadOkAsync<IngestResult>(await ingest.PostAsync("/api/interactions", Json(body)));

        Assert.Equal(first.Sequence, retry.Sequence);
        Assert.Equal(head, await fixture.LogHeadAsync());
    }

    [Fact]
    public async Task Post_ReviewOnly_CountsInteractionNotRating()
    {
        var (user, item) = (Ids.New("u"), Ids.New("i"));
        using var ingest = fixture.Client(GatewayFactory.IngestKey);

        var result = await ReadOkAsync<IngestResult>(await ingest.PostAsync("/api/interactions",
            Json($$"""{"userId":"{{user}}","itemId":"{{item}}","review":"{{Review}}\nSecond line."}""")));

        Assert.False(result.Duplicate);
        Assert.Equal((1, 0), Counts(await fixture.UserAsync(user)));
    }

    [Fact]
    public async Task Batch_InOrder_AppliedOnceEach()
    {
        var user = Ids.New("u");
        var items = new[] { Ids.New("i"), Ids.New("i"), Ids.New("i") };
        using var ingest = fixture.Client(GatewayFactory.IngestKey);
        var body = "[" + string.Join(",", items.Select((item, n) =>
            $$"""{"id":"{{user}}-{{n}}","userId":"{{user}}","itemId":"{{item}}","rating":{{n + 2}},"review":"{{Review}}"}""")) + "]";

        var results = await ReadOkAsync<IngestResult[]>(await ingest.PostAsync("/api/interactions/batch", Json(body)));
        var retried = await ReadOkAsync<IngestResult[]>(await ingest.PostAsync("/api/interactions/batch", Json(body)));

        Assert.Equal(items.Select((_, n) => $"{user}-{n}"), results.Select(r => r.Id));
        Assert.All(results, r => Assert.False(r.Duplicate));
        Assert.Equal(results.Select(r => r.Sequence).Order(), results.Select(r => r.Sequence));
        Assert.All(retried, r => Assert.True(r.Duplicate));
        Assert.Equal(results.Select(r => r.Prediction), retried.Select(r => r.Prediction));
        Assert.Equal((3, 3), Counts(await fixture.UserAsync(user)));
        using var read = fixture.Client(GatewayFactory.ReadKey);
        var profile = await ReadOkAsync<ActorProfile>(await read.GetAsync($"/api/users/{user}"));
        Assert.Equal(3, profile.Interactions);
    }

    [Fact]
    public async Task Get_UnknownUserOrItem_NotFoundProblem()
    {
        using var read = fixture.Client(GatewayFactory.ReadKey);

        using var user = await read.GetAsync($"/api/users/{Ids.New("nobody")}");
        using var item = await read.GetAsync($"/api/items/{Ids.New("nothing")}");

        await AssertProblemAsync(user, HttpStatusCode.NotFound, "Unknown user.");
        await AssertProblemAsync(item, HttpStatusCode.NotFound, "Unknown item.");
    }

    private static (int Interactions, int Ratings) Counts(Contracts.ActorView view) => (view.Interactions, view.Ratings);
}
