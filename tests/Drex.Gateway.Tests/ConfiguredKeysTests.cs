using System.Net;
using Drex.Gateway.Tests.Infrastructure;
using static Drex.Gateway.Tests.Infrastructure.Problems;

namespace Drex.Gateway.Tests;

/// <summary>Keys from configuration replace the development keys; the token bucket is per key.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ConfiguredKeysTests(GatewayFixture fixture) : IAsyncLifetime
{
    private const string FirstKey = "first-reader-key-0123456789";
    private const string SecondKey = "second-reader-key-0123456789";

    private GatewayFactory _gateway = null!;

    public Task InitializeAsync()
    {
        _gateway = new GatewayFactory(fixture.Silo, new Dictionary<string, string>
        {
            ["Drex:Gateway:ApiKeys:0:Key"] = FirstKey,
            ["Drex:Gateway:ApiKeys:0:Name"] = "first",
            ["Drex:Gateway:ApiKeys:0:Roles:0"] = "read",
            ["Drex:Gateway:ApiKeys:1:Key"] = SecondKey,
            ["Drex:Gateway:ApiKeys:1:Roles:0"] = "read",
            // A bucket of two that refills once in a thousand seconds: the third request is refused, deterministically.
            ["Drex:Gateway:RateLimit:PermitsPerSecond"] = "0.001",
            ["Drex:Gateway:RateLimit:Burst"] = "2",
        });
        return Task.CompletedTask;
    }

    [Fact]
    public async Task DevelopmentKey_WhenKeysConfigured_Unauthorized()
    {
        using var client = _gateway.CreateClient(GatewayFactory.AdminKey);

        using var response = await client.GetAsync("/api/model/versions");

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "The API key is not valid.");
    }

    [Fact]
    public async Task ConfiguredKey_OverBurst_TooManyRequestsForThatKeyOnly()
    {
        using var first = _gateway.CreateClient(FirstKey);
        using var second = _gateway.CreateClient(SecondKey);

        using var one = await first.GetAsync("/api/model/versions");
        using var two = await first.GetAsync("/api/model/versions");
        using var three = await first.GetAsync("/api/model/versions");
        using var other = await second.GetAsync("/api/model/versions");

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        await AssertProblemAsync(three, HttpStatusCode.TooManyRequests, "Too many requests.", "https://tools.ietf.org/html/rfc6585#section-4");
        Assert.True(three.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();
}
