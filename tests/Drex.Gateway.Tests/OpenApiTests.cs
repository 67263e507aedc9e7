using System.Net;
using System.Text.Json;
using Drex.Gateway.Tests.Infrastructure;

namespace Drex.Gateway.Tests;

/// <summary>The OpenAPI document describes every operation and the API key; the API page and health endpoints answer.</summary>
[Collection(GatewayCollection.Name)]
public sealed class OpenApiTests(GatewayFixture fixture)
{
    [Fact]
    public async Task OpenApiDocument_NamesEveryOperationAndTheApiKey()
    {
        using var client = fixture.Client(apiKey: null);

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var operations = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Value.TryGetProperty("operationId", out _)))
            .Select(o => o.Value.GetProperty("operationId").GetString())
            .Order(StringComparer.Ordinal);
        Assert.Equal(
            ["ActivateModel", "GetItem", "GetItemState", "GetModel", "GetModelVersions", "GetPrediction", "GetRecommendations", "GetUser", "GetUserState", "IngestInteraction", "IngestInteractionBatch", "PublishModel"],
            operations);
        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "X-Api-Key"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("in").GetString(), scheme.GetProperty("name").GetString()));
        var ingest = document.RootElement.GetProperty("paths").GetProperty("/api/interactions").GetProperty("post");
        Assert.True(ingest.GetProperty("responses").TryGetProperty("400", out _));
        Assert.True(ingest.GetProperty("responses").TryGetProperty("401", out _));
        Assert.True(ingest.GetProperty("responses").TryGetProperty("429", out _));
    }

    [Fact]
    public async Task ApiPage_Html()
    {
        using var client = fixture.Client(apiKey: null);

        using var response = await client.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_ClusterUp_Healthy(string path)
    {
        using var client = fixture.Client(apiKey: null);

        Assert.Equal("Healthy", await client.GetStringAsync(path));
    }
}
