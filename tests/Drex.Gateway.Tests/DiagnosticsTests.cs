using System.Net;
using System.Net.Http.Json;
using Drex.Gateway.Tests.Infrastructure;

namespace Drex.Gateway.Tests;

/// <summary>The benchmarks' no-op ingestion path: off by default; when enabled, validated like ingestion and storing nothing.</summary>
[Collection(GatewayCollection.Name)]
public sealed class DiagnosticsTests(GatewayFixture fixture) : IAsyncLifetime
{
    private GatewayFactory _enabled = null!;

    public Task InitializeAsync()
    {
        _enabled = new GatewayFactory(fixture.Silo, new Dictionary<string, string> { ["Drex:Gateway:Diagnostics"] = "true" });
        return Task.CompletedTask;
    }

    [Fact]
    public async Task NoOpIngest_ByDefault_NotMapped()
    {
        using var client = fixture.Client(GatewayFactory.IngestKey);

        using var response = await client.PostAsJsonAsync("/api/diagnostics/noop-interactions", new { userId = "u", itemId = "i", rating = 4 });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task NoOpIngest_WhenEnabled_AnswersLikeIngestionAndChangesNoActor()
    {
        var (user, item) = (Ids.New("u"), Ids.New("i"));
        using var client = _enabled.CreateClient(GatewayFactory.IngestKey);
        var head = await fixture.LogHeadAsync();

        using var ok = await client.PostAsJsonAsync("/api/diagnostics/noop-interactions", new { userId = user, itemId = item, rating = 4 });
        using var invalid = await client.PostAsJsonAsync("/api/diagnostics/noop-interactions", new { userId = user, itemId = item, rating = 9 });
        using var reader = _enabled.CreateClient(GatewayFactory.ReadKey);
        using var forbidden = await reader.PostAsJsonAsync("/api/diagnostics/noop-interactions", new { userId = user, itemId = item, rating = 4 });

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("noop", (await ok.Content.ReadFromJsonAsync<IngestResult>())!.ModelVersion);
        await Problems.AssertValidationProblemAsync(invalid, "The interaction is not valid.", "rating");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.False((await fixture.UserAsync(user)).Known);
        Assert.False((await fixture.ItemAsync(item)).Known);
        Assert.Equal(head, await fixture.LogHeadAsync());
    }

    public async Task DisposeAsync() => await _enabled.DisposeAsync();
}
