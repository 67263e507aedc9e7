using System.Net;
using Drex.Contracts;
using Drex.Gateway.Tests.Infrastructure;
using Drex.Grains.Tests;
using static Drex.Gateway.Tests.Infrastructure.Problems;

namespace Drex.Gateway.Tests;

/// <summary>The model registry through the gateway: current, history, rollback (admin only).</summary>
[Collection(GatewayCollection.Name)]
public sealed class ModelApiTests(GatewayFixture fixture)
{
    [Fact]
    public async Task GetModel_Published_ActiveVersion()
    {
        using var read = fixture.Client(GatewayFactory.ReadKey);

        var model = await ReadOkAsync<Model>(await read.GetAsync("/api/model"));

        Assert.Equal((GatewayFixture.ModelVersion, true, "Dot"), (model.Version, model.Active, model.Head));
        Assert.Equal(0.8, model.ValidationMae);
    }

    [Fact]
    public async Task Activate_EarlierVersion_RollsBackAndServesIt()
    {
        const string next = "v2-rollback-test";
        await fixture.Silo.PublishAsync(TestBundles.Create(next, seed: 2, items: ["catalog-1"]));
        using var admin = fixture.Client(GatewayFactory.AdminKey);
        try
        {
            var versions = await ReadOkAsync<Model[]>(await admin.GetAsync("/api/model/versions"));
            Assert.Equal([next, GatewayFixture.ModelVersion], versions.Select(v => v.Version));
            Assert.Equal([true, false], versions.Select(v => v.Active));

            var swapped = fixture.Silo.WaitForVersionAsync(GatewayFixture.ModelVersion);
            var activated = await ReadOkAsync<Model>(await admin.PostAsync("/api/model/activate", Json("""{"version":"v1"}""")));
            await swapped.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal((GatewayFixture.ModelVersion, true), (activated.Version, activated.Active));
            var current = await ReadOkAsync<Model>(await admin.GetAsync("/api/model"));
            Assert.Equal(GatewayFixture.ModelVersion, current.Version);
        }
        finally
        {
            var current = await fixture.Silo.Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry).GetCurrentAsync();
            if (current?.Version != GatewayFixture.ModelVersion)
            {
                var swapped = fixture.Silo.WaitForVersionAsync(GatewayFixture.ModelVersion);
                await fixture.Silo.Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry).ActivateAsync(GatewayFixture.ModelVersion);
                await swapped.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
    }

    [Fact]
    public async Task Activate_UnknownVersion_NotFoundAndNothingChanged()
    {
        using var admin = fixture.Client(GatewayFactory.AdminKey);

        using var response = await admin.PostAsync("/api/model/activate", Json("""{"version":"v404"}"""));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "Unknown model version.");
        var current = await ReadOkAsync<Model>(await admin.GetAsync("/api/model"));
        Assert.Equal(GatewayFixture.ModelVersion, current.Version);
    }

    [Theory]
    [InlineData("""{"version":""}""", "version")]
    [InlineData("""{}""", "version")]
    [InlineData("""{"version":"v1\u0000"}""", "version")]
    public async Task Activate_InvalidVersion_ValidationProblem(string body, string field)
    {
        fixture.Recorder.Clear();
        using var admin = fixture.Client(GatewayFactory.AdminKey);

        using var response = await admin.PostAsync("/api/model/activate", Json(body));

        await AssertValidationProblemAsync(response, "One or more validation errors occurred.", field);
        Assert.Empty(fixture.Recorder.Calls);
    }

    [Fact]
    public async Task Activate_UnknownField_ValidationProblem()
    {
        using var admin = fixture.Client(GatewayFactory.AdminKey);

        using var response = await admin.PostAsync("/api/model/activate", Json("""{"version":"v1","force":true}"""));

        await AssertValidationProblemAsync(response, "The request body is not valid JSON for this endpoint.", "$.force");
    }
}
