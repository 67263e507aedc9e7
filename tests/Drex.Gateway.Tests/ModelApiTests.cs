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
            Assert.Equal((next, true), (versions[0].Version, versions[0].Active));
            Assert.Contains(versions, v => v.Version == GatewayFixture.ModelVersion && !v.Active);
            Assert.Single(versions, v => v.Active);

            var swapped = fixture.Silo.WaitForVersionAsync(GatewayFixture.ModelVersion);
            var activated = await ReadOkAsync<Model>(await admin.PostAsync("/api/model/activate", Json("""{"version":"v1"}""")));
            await swapped.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal((GatewayFixture.ModelVersion, true), (activated.Version, activated.Active));
            var current = await ReadOkAsync<Model>(await admin.GetAsync("/api/model"));
            Assert.Equal(GatewayFixture.ModelVersion, current.Version);
        }
        finally
        {
            await RestoreFirstVersionAsync();
        }
    }

    [Fact]
    public async Task Publish_UploadedBundle_ActiveAndServed()
    {
        const string next = "v3-publish-test";
        await fixture.Silo.UploadAsync(TestBundles.Create(next, seed: 3, items: ["catalog-1"]));
        using var admin = fixture.Client(GatewayFactory.AdminKey);
        try
        {
            var swapped = fixture.Silo.WaitForVersionAsync(next);
            var published = await ReadOkAsync<Model>(await admin.PostAsync("/api/model/publish", Json($$"""{"version":"{{next}}"}""")));
            await swapped.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal((next, true), (published.Version, published.Active));
            Assert.Equal(next, (await ReadOkAsync<Model>(await admin.GetAsync("/api/model"))).Version);
        }
        finally
        {
            await RestoreFirstVersionAsync();
        }
    }

    [Fact]
    public async Task Publish_NotUploaded_NotFoundAndNothingChanged()
    {
        using var admin = fixture.Client(GatewayFactory.AdminKey);

        using var response = await admin.PostAsync("/api/model/publish", Json("""{"version":"v-never-uploaded"}"""));

        var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound, "Not found.");
        Assert.Contains("v-never-uploaded", problem.GetProperty("detail").GetString());
        Assert.Equal(GatewayFixture.ModelVersion, (await ReadOkAsync<Model>(await admin.GetAsync("/api/model"))).Version);
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
    [InlineData("/api/model/activate", """{"version":""}""", "version")]
    [InlineData("/api/model/activate", """{}""", "version")]
    [InlineData("/api/model/activate", """{"version":"v1\u0000"}""", "version")]
    [InlineData("/api/model/publish", """{"version":" v1"}""", "version")]
    [InlineData("/api/model/publish", """{}""", "version")]
    public async Task ActivateOrPublish_InvalidVersion_ValidationProblem(string path, string body, string field)
    {
        fixture.Recorder.Clear();
        using var admin = fixture.Client(GatewayFactory.AdminKey);

        using var response = await admin.PostAsync(path, Json(body));

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

    /// <summary>Other tests expect the first version: make it active again and wait until the silo serves it.</summary>
    private async Task RestoreFirstVersionAsync()
    {
        var registry = fixture.Silo.Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry);
        if ((await registry.GetCurrentAsync())?.Version != GatewayFixture.ModelVersion)
        {
            var swapped = fixture.Silo.WaitForVersionAsync(GatewayFixture.ModelVersion);
            await registry.ActivateAsync(GatewayFixture.ModelVersion);
            await swapped.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
