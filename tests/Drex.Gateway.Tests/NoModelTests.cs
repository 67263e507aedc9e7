using System.Net;
using Drex.Contracts;
using Drex.Gateway.Tests.Infrastructure;
using static Drex.Gateway.Tests.Infrastructure.Problems;

namespace Drex.Gateway.Tests;

/// <summary>A cluster to which no model was ever published: clear 404/503 problems, never a 500.</summary>
[Collection(GatewayCollection.Name)]
public sealed class NoModelTests : IAsyncLifetime
{
    private const string NoModel = "No model has been published yet.";

    private TestSilo _silo = null!;
    private GatewayFactory _gateway = null!;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync();
        _gateway = new GatewayFactory(_silo);
    }

    [Fact]
    public async Task NoModel_EveryEndpoint_ClearProblem()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var user = Ids.New("u");

        using var model = await admin.GetAsync("/api/model");
        using var versions = await admin.GetAsync("/api/model/versions");
        using var prediction = await admin.GetAsync($"/api/users/{user}/predictions/i");
        using var recommendations = await admin.GetAsync($"/api/users/{user}/recommendations");
        using var ingest = await admin.PostAsync("/api/interactions", Json($$"""{"userId":"{{user}}","itemId":"i","rating":3}"""));
        using var activate = await admin.PostAsync("/api/model/activate", Json("""{"version":"v1"}"""));
        using var profile = await admin.GetAsync($"/api/users/{user}");

        await AssertProblemAsync(model, HttpStatusCode.NotFound, NoModel);
        Assert.Empty(await ReadOkAsync<Model[]>(versions));
        await AssertProblemAsync(prediction, HttpStatusCode.ServiceUnavailable, NoModel);
        await AssertProblemAsync(recommendations, HttpStatusCode.ServiceUnavailable, NoModel);
        await AssertProblemAsync(ingest, HttpStatusCode.ServiceUnavailable, NoModel);
        await AssertProblemAsync(activate, HttpStatusCode.NotFound, "Unknown model version.");
        await AssertProblemAsync(profile, HttpStatusCode.ServiceUnavailable, NoModel);
    }

    [Fact]
    public async Task Ingest_NoModel_LogDoesNotMove()
    {
        using var ingest = _gateway.CreateClient(GatewayFactory.IngestKey);

        using var response = await ingest.PostAsync("/api/interactions", Json($$"""{"userId":"{{Ids.New("u")}}","itemId":"i","rating":3}"""));

        await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, NoModel);
        Assert.Equal(-1, await _silo.Grains.GetGrain<IInteractionLogGrain>(DrexKeys.Log).GetHeadAsync());
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _silo.DisposeAsync();
    }
}
