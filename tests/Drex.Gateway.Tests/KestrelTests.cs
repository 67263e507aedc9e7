using System.Net;
using System.Text;
using System.Text.Json;
using Drex.Gateway.Tests.Infrastructure;
using static Drex.Gateway.Tests.Infrastructure.Problems;

namespace Drex.Gateway.Tests;

/// <summary>
/// What only a real server shows: a chunked body (no Content-Length) over the endpoint's limit is cut off while it is
/// read (413); an id with a slash, escaped in a path, reaches its endpoint decoded (Kestrel leaves "%2F" escaped, the
/// test server passes no raw request target).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class KestrelTests(GatewayFixture fixture) : IAsyncLifetime
{
    private GatewayFactory _gateway = null!;

    public Task InitializeAsync()
    {
        _gateway = new GatewayFactory(fixture.Silo);
        _gateway.UseKestrel(0);
        _gateway.StartServer();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_ChunkedBodyOverLimit_PayloadTooLargeProblem(bool expectContinue)
    {
        var user = Ids.New("chunked");
        var head = await fixture.LogHeadAsync();
        using var client = _gateway.CreateClient(GatewayFactory.IngestKey);
        client.DefaultRequestHeaders.ExpectContinue = expectContinue;
        var json = $$"""{"userId":"{{user}}","itemId":"i","rating":4,"review":"{{new string('a', 300_000)}}"}""";
        using var content = new ChunkedContent(Encoding.UTF8.GetBytes(json));

        using var response = await client.PostAsync("/api/interactions", content);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "The request body is too large.");
        Assert.False((await fixture.UserAsync(user)).Known);
        Assert.Equal(head, await fixture.LogHeadAsync());
    }

    [Theory]
    [InlineData("a/b", "c/d/e")]
    [InlineData("50% off?", "#1 hit & more")]
    [InlineData("literally %2F", "é/ü+x")]
    public async Task IdsWithReservedCharacters_IngestedThenReadThroughEscapedPaths_AreTheSameActors(string userSuffix, string itemSuffix)
    {
        var (user, item) = ($"{Ids.New("u")}{userSuffix}", $"{Ids.New("i")}{itemSuffix}");
        using var ingest = _gateway.CreateClient(GatewayFactory.IngestKey);
        using var read = _gateway.CreateClient(GatewayFactory.ReadKey);
        var body = JsonSerializer.Serialize(new { userId = user, itemId = item, rating = 4 });
        await ReadOkAsync<IngestResult>(await ingest.PostAsync("/api/interactions", Json(body)));
        var (u, i) = (Uri.EscapeDataString(user), Uri.EscapeDataString(item));

        var profile = await ReadOkAsync<ActorProfile>(await read.GetAsync($"/api/users/{u}"));
        var itemProfile = await ReadOkAsync<ActorProfile>(await read.GetAsync($"/api/items/{i}"));
        var prediction = await ReadOkAsync<Prediction>(await read.GetAsync($"/api/users/{u}/predictions/{i}"));
        var recommendations = await ReadOkAsync<Recommendations>(await read.GetAsync($"/api/users/{u}/recommendations?k=5"));

        Assert.Equal((user, 1), (profile.Id, profile.Interactions));
        Assert.Equal((item, 1), (itemProfile.Id, itemProfile.Interactions));
        Assert.Equal((user, item), (prediction.UserId, prediction.ItemId));
        Assert.Equal(user, recommendations.UserId);
        Assert.DoesNotContain(recommendations.Items, p => p.ItemId == item);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    /// <summary>JSON of unknown length, so the client sends it chunked.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
