using System.Net;
using Drex.Gateway.Tests.Infrastructure;
using static Drex.Gateway.Tests.Infrastructure.Problems;

namespace Drex.Gateway.Tests;

/// <summary>API keys: 401 without a valid key, 403 without the role, admin implies every role; public endpoints stay public.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AuthTests(GatewayFixture fixture)
{
    public static TheoryData<string, string> ProtectedEndpoints => new()
    {
        { "POST", "/api/interactions" },
        { "POST", "/api/interactions/batch" },
        { "GET", "/api/users/someone" },
        { "GET", "/api/items/something" },
        { "GET", "/api/users/someone/recommendations" },
        { "GET", "/api/users/someone/predictions/something" },
        { "GET", "/api/model" },
        { "GET", "/api/model/versions" },
        { "POST", "/api/model/activate" },
        { "POST", "/api/model/publish" },
    };

    [Theory]
    [MemberData(nameof(ProtectedEndpoints))]
    public async Task Request_NoApiKey_Unauthorized(string method, string path)
    {
        fixture.Recorder.Clear();
        using var client = fixture.Client(apiKey: null);

        using var response = await client.SendAsync(Request(method, path));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "An API key is required.");
        Assert.Equal("ApiKey header=\"X-Api-Key\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Empty(fixture.Recorder.Calls);
    }

    [Theory]
    [MemberData(nameof(ProtectedEndpoints))]
    public async Task Request_UnknownApiKey_Unauthorized(string method, string path)
    {
        fixture.Recorder.Clear();
        using var client = fixture.Client("not-a-key");

        using var response = await client.SendAsync(Request(method, path));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "The API key is not valid.");
        Assert.Empty(fixture.Recorder.Calls);
    }

    [Theory]
    [InlineData(GatewayFactory.ReadKey, "POST", "/api/interactions")]
    [InlineData(GatewayFactory.ReadKey, "POST", "/api/interactions/batch")]
    [InlineData(GatewayFactory.ReadKey, "POST", "/api/model/activate")]
    [InlineData(GatewayFactory.IngestKey, "GET", "/api/users/someone")]
    [InlineData(GatewayFactory.IngestKey, "GET", "/api/users/someone/recommendations")]
    [InlineData(GatewayFactory.IngestKey, "GET", "/api/model")]
    [InlineData(GatewayFactory.IngestKey, "POST", "/api/model/activate")]
    [InlineData(GatewayFactory.ReadKey, "POST", "/api/model/publish")]
    [InlineData(GatewayFactory.IngestKey, "POST", "/api/model/publish")]
    public async Task Request_KeyWithoutRole_Forbidden(string key, string method, string path)
    {
        var user = Ids.New("forbidden");
        var head = await fixture.LogHeadAsync();
        fixture.Recorder.Clear();
        using var client = fixture.Client(key);

        using var response = await client.SendAsync(Request(method, path, user));

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "The API key does not grant this operation.");
        Assert.Empty(fixture.Recorder.Calls);
        Assert.False((await fixture.UserAsync(user)).Known);
        Assert.Equal(head, await fixture.LogHeadAsync());
    }

    [Fact]
    public async Task AdminKey_IngestsAndReads()
    {
        var user = Ids.New("admin");
        using var client = fixture.Client(GatewayFactory.AdminKey);

        using var posted = await client.SendAsync(Request("POST", "/api/interactions", user));
        using var read = await client.GetAsync($"/api/users/{user}");

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/scalar")]
    public async Task PublicEndpoint_NoApiKey_Ok(string path)
    {
        using var client = fixture.Client(apiKey: null);

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_NotFoundProblem()
    {
        using var client = fixture.Client(GatewayFactory.ReadKey);

        using var response = await client.GetAsync("/api/nothing-here");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "Not Found");
    }

    private static HttpRequestMessage Request(string method, string path, string? user = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            var body = path switch
            {
                "/api/interactions/batch" => $$"""[{"userId":"{{user ?? "u"}}","itemId":"i","rating":3}]""",
                "/api/model/activate" or "/api/model/publish" => """{"version":"v1"}""",
                _ => $$"""{"userId":"{{user ?? "u"}}","itemId":"i","rating":3}""",
            };
            request.Content = Json(body);
        }

        return request;
    }
}
