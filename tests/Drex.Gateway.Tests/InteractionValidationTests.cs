using System.Net;
using System.Text;
using Drex.Gateway.Tests.Infrastructure;
using static Drex.Gateway.Tests.Infrastructure.Problems;

namespace Drex.Gateway.Tests;

/// <summary>
/// The bad-input corpus: each request is refused at the edge with a 4xx ProblemDetails, the gateway calls no grain,
/// the user stays unknown and the interaction log does not move.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class InteractionValidationTests(GatewayFixture fixture)
{
    private const string Single = "/api/interactions";
    private const string Batch = "/api/interactions/batch";
    private const string Invalid = "The interaction is not valid.";
    private const string InvalidBatch = "The batch is not valid; nothing was ingested.";
    private const string InvalidJson = "The request body is not valid JSON for this endpoint.";

    /// <summary>A refused request: where it goes, what it sends, and the problem expected back.</summary>
    public sealed record BadRequest(
        string Path, string Body, HttpStatusCode Status, string Title, string[] Errors, string ContentType = "application/json", string? Detail = null);

    private static string Valid(string user, string extra = "") => $$"""{"userId":"{{user}}","itemId":"item-1","rating":4{{extra}}}""";

    private static readonly Dictionary<string, Func<string, BadRequest>> _cases = new()
    {
        ["malformed json"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"i","rating":4""", HttpStatusCode.BadRequest, InvalidJson, ["$.rating"]),
        ["not an object"] = u => new(Single, $"\"{u}\"", HttpStatusCode.BadRequest, InvalidJson, ["$"]),
        ["json null"] = u => new(Single, "null", HttpStatusCode.BadRequest, "The request could not be read.", []),
        ["empty body"] = u => new(Single, "", HttpStatusCode.BadRequest, "The request could not be read.", []),
        ["missing user id"] = u => new(Single, """{"itemId":"i","rating":4}""", HttpStatusCode.BadRequest, Invalid, ["userId"]),
        ["missing item id"] = u => new(Single, $$"""{"userId":"{{u}}","rating":4}""", HttpStatusCode.BadRequest, Invalid, ["itemId"]),
        ["empty item id"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"","rating":4}""", HttpStatusCode.BadRequest, Invalid, ["itemId"]),
        ["overlong item id"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"{{new string('x', 129)}}","rating":4}""", HttpStatusCode.BadRequest, Invalid, ["itemId"]),
        ["overlong interaction id"] = u => new(Single, Valid(u, $",\"id\":\"{new string('x', 129)}\""), HttpStatusCode.BadRequest, Invalid, ["id"]),
        ["whitespace item id"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"   ","rating":4}""", HttpStatusCode.BadRequest, Invalid, ["itemId"]),
        ["padded item id"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":" i","rating":4}""", HttpStatusCode.BadRequest, Invalid, ["itemId"]),
        ["control character in item id"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"a\u0000b","rating":4}""", HttpStatusCode.BadRequest, Invalid, ["itemId"]),
        ["newline in interaction id"] = u => new(Single, Valid(u, ",\"id\":\"a\\nb\""), HttpStatusCode.BadRequest, Invalid, ["id"]),
        ["control character in review"] = u => new(Single, Valid(u, ",\"review\":\"bell \\u0007\""), HttpStatusCode.BadRequest, Invalid, ["review"]),
        ["lone surrogate in review"] = u => new(Single, Valid(u, ",\"review\":\"broken \\ud800 text\""), HttpStatusCode.BadRequest, InvalidJson, ["$.review"]),
        ["rating below range"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"i","rating":0.5}""", HttpStatusCode.BadRequest, Invalid, ["rating"]),
        ["rating above range"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"i","rating":5.01}""", HttpStatusCode.BadRequest, Invalid, ["rating"]),
        ["rating NaN literal"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"i","rating":NaN}""", HttpStatusCode.BadRequest, InvalidJson, ["$.rating"]),
        ["rating NaN string"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"i","rating":"NaN"}""", HttpStatusCode.BadRequest, InvalidJson, ["$.rating"]),
        ["rating as string"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"i","rating":"4"}""", HttpStatusCode.BadRequest, InvalidJson, ["$.rating"]),
        ["rating overflow"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"i","rating":1e999}""", HttpStatusCode.BadRequest, Invalid, ["rating"]),
        ["user id as number"] = u => new(Single, """{"userId":7,"itemId":"i","rating":4}""", HttpStatusCode.BadRequest, InvalidJson, ["$.userId"]),
        ["no modality"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"i"}""", HttpStatusCode.BadRequest, Invalid, ["rating"]),
        ["blank review only"] = u => new(Single, $$"""{"userId":"{{u}}","itemId":"i","review":"  \n "}""", HttpStatusCode.BadRequest, Invalid, ["rating"]),
        ["oversized review"] = u => new(Single, Valid(u, $",\"review\":\"{new string('a', 20_001)}\""), HttpStatusCode.BadRequest, Invalid, ["review"]),
        ["negative timestamp"] = u => new(Single, Valid(u, ",\"timestamp\":-1"), HttpStatusCode.BadRequest, Invalid, ["timestamp"]),
        ["unknown field"] = u => new(Single, Valid(u, ",\"score\":5"), HttpStatusCode.BadRequest, InvalidJson, ["$.score"]),
        ["duplicate field"] = u => new(Single, Valid(u, ",\"rating\":1"), HttpStatusCode.BadRequest, InvalidJson, ["$.rating"]),
        ["several errors"] = u => new(Single, """{"userId":"","itemId":" ","rating":9}""", HttpStatusCode.BadRequest, Invalid, ["userId", "itemId", "rating"]),
        ["wrong content type"] = u => new(Single, Valid(u), HttpStatusCode.UnsupportedMediaType, "Unsupported Media Type", [], "text/plain", "application/json"),
        ["body too large"] = u => new(Single, Valid(u, $",\"review\":\"{new string('a', 300_000)}\""), HttpStatusCode.RequestEntityTooLarge, "The request body is too large.", [], Detail: "262144 bytes"),
        ["empty batch"] = u => new(Batch, "[]", HttpStatusCode.BadRequest, InvalidBatch, ["$"]),
        ["batch of 1001"] = u => new(Batch, "[" + string.Join(",", Enumerable.Repeat(Valid(u), 1_001)) + "]", HttpStatusCode.BadRequest, InvalidBatch, ["$"]),
        ["batch not an array"] = u => new(Batch, Valid(u), HttpStatusCode.BadRequest, InvalidJson, ["$"]),
        ["batch with a null"] = u => new(Batch, $"[{Valid(u)},null]", HttpStatusCode.BadRequest, InvalidBatch, ["[1]"]),
        ["batch with one invalid"] = u => new(Batch, $$"""[{{Valid(u)}},{"userId":"{{u}}","itemId":"i2","rating":6},{{Valid(u)}}]""", HttpStatusCode.BadRequest, InvalidBatch, ["[1].rating"]),
        ["batch with unknown field"] = u => new(Batch, $"[{Valid(u)},{Valid(u, ",\"extra\":true")}]", HttpStatusCode.BadRequest, InvalidJson, ["$[1].extra"]),
        ["batch body too large"] = u => new(Batch, "[" + string.Join(",", Enumerable.Repeat(Valid(u, $",\"review\":\"{new string('a', 7_000)}\""), 300)) + "]", HttpStatusCode.RequestEntityTooLarge, "The request body is too large.", []),
    };

    public static TheoryData<string> Cases => [.. _cases.Keys];

    [Theory]
    [InlineData("{\"userId\":\"a\u00ff\",\"itemId\":\"i\",\"rating\":4}", "$.userId", "Not valid text")]
    [InlineData("{\"userId\":\"a\",\"itemId\":\"i\",\"rating\":4,\"review\":\"x \\ud800 y\"}", "$.review", "Not valid text")]
    [InlineData("{\"userId\":\"a\",\"itemId\":\"i\",\"rating\":4,\"timestamp\":99999999999999999999}", "$.timestamp", "does not fit")]
    [InlineData("{\"userId\":\"a\",\"itemId\":\"i\",\"rating\":4,\"timestamp\":1.5}", "$.timestamp", "does not fit")]
    [InlineData("{\"userId\":\"a\",\"itemId\":\"i\",\"rating\":\"4\"}", "$.rating", "wrong type")]
    [InlineData("{\"userId\":\"a\",\"itemId\":\"i\",\"rating\":4,\"score\":1}", "$.score", "not part of the request")]
    [InlineData("{\"userId\":\"a\",\"itemId\":\"i\",\"rating\":4", "$.rating", "Malformed JSON (line 1, byte")]
    public async Task Post_UnreadableJson_SaysWhatIsWrongWhere(string latin1Body, string path, string message)
    {
        // Latin-1 maps each char to one byte: "\u00ff" is the byte 0xFF, never valid in UTF-8.
        using var client = fixture.Client(GatewayFactory.IngestKey);
        using var content = new ByteArrayContent(Encoding.Latin1.GetBytes(latin1Body));
        content.Headers.ContentType = new("application/json");

        using var response = await client.PostAsync(Single, content);

        var body = await AssertValidationProblemAsync(response, InvalidJson, [path]);
        Assert.Contains(message, body.GetProperty("errors").GetProperty(path)[0].GetString());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Post_BadInput_ProblemDetailsAndNothingChanged(string name)
    {
        var user = Ids.New("bad");
        var bad = _cases[name](user);
        var head = await fixture.LogHeadAsync();
        fixture.Recorder.Clear();
        using var client = fixture.Client(GatewayFactory.IngestKey);

        using var response = await client.PostAsync(bad.Path, new StringContent(bad.Body, Encoding.UTF8, bad.ContentType));

        if (bad.Status == HttpStatusCode.BadRequest && bad.Errors.Length > 0)
        {
            await AssertValidationProblemAsync(response, bad.Title, bad.Errors);
        }
        else
        {
            var body = await AssertProblemAsync(response, bad.Status, bad.Title);
            if (bad.Detail is not null)
            {
                Assert.Contains(bad.Detail, body.GetProperty("detail").GetString());
            }
        }

        Assert.Empty(fixture.Recorder.Calls);
        Assert.False((await fixture.UserAsync(user)).Known);
        Assert.Equal(head, await fixture.LogHeadAsync());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-5")]
    public async Task Recommendations_KOutOfRange_ValidationProblem(string k)
    {
        fixture.Recorder.Clear();
        using var client = fixture.Client(GatewayFactory.ReadKey);

        using var response = await client.GetAsync($"/api/users/{Ids.New("u")}/recommendations?k={k}");

        await AssertValidationProblemAsync(response, "One or more validation errors occurred.", "k");
        Assert.Empty(fixture.Recorder.Calls);
    }

    [Fact]
    public async Task Recommendations_KNotANumber_ProblemDetails()
    {
        fixture.Recorder.Clear();
        using var client = fixture.Client(GatewayFactory.ReadKey);

        using var response = await client.GetAsync($"/api/users/{Ids.New("u")}/recommendations?k=ten");

        var body = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "The request could not be read.");
        Assert.Contains("k", body.GetProperty("detail").GetString());
        Assert.Empty(fixture.Recorder.Calls);
    }

    [Theory]
    [InlineData("/api/users/{0}")]
    [InlineData("/api/items/{0}")]
    [InlineData("/api/users/{0}/recommendations")]
    public async Task Get_OverlongOrControlId_ValidationProblem(string template)
    {
        using var client = fixture.Client(GatewayFactory.ReadKey);
        foreach (var id in new[] { new string('x', 129), "a%01b", "%20padded" })
        {
            fixture.Recorder.Clear();

            using var response = await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, id));

            await AssertValidationProblemAsync(response, "One or more validation errors occurred.", "id");
            Assert.Empty(fixture.Recorder.Calls);
        }
    }

    [Fact]
    public async Task Prediction_BadItemId_ValidationProblem()
    {
        fixture.Recorder.Clear();
        using var client = fixture.Client(GatewayFactory.ReadKey);

        using var response = await client.GetAsync($"/api/users/{Ids.New("u")}/predictions/{new string('x', 129)}");

        await AssertValidationProblemAsync(response, "One or more validation errors occurred.", "itemId");
        Assert.Empty(fixture.Recorder.Calls);
    }
}
