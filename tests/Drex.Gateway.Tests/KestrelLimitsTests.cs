using System.Net;
using System.Text;
using Drex.Gateway.Tests.Infrastructure;
using static Drex.Gateway.Tests.Infrastructure.Problems;

namespace Drex.Gateway.Tests;

/// <summary>On Kestrel, a chunked body (no Content-Length) over the endpoint's limit is cut off while it is read: 413.</summary>
[Collection(GatewayCollection.Name)]
public sealed class KestrelLimitsTests(GatewayFixture fixture) : IAsyncLifetime
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
