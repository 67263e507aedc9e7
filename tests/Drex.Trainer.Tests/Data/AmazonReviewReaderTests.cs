using Drex.Model.Data;
using Drex.Trainer.Data;

namespace Drex.Trainer.Tests.Data;

public sealed class AmazonReviewReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_2014Layout_MapsFieldsAndJoinsSummaryAndBody()
    {
        var path = _dir.WriteLines("reviews.json",
        [
            """{"reviewerID": "A1", "asin": "B1", "reviewerName": "x \"y\"", "helpful": [1, 2], "reviewText": "Works well.", "overall": 5.0, "summary": "good", "unixReviewTime": 1393545600, "reviewTime": "02 28, 2014"}""",
            """{"reviewerID": "A2", "asin": "B1", "helpful": [0, 0], "reviewText": " Meh ", "overall": 2.0, "summary": "Not great!", "unixReviewTime": 1363392000, "reviewTime": "03 16, 2013"}""",
        ]);

        var interactions = AmazonReviewReader.Read(path).ToList();

        Assert.Equal(
        [
            new Interaction("A1", "B1", 5f, "good. Works well.", 1393545600),
            new Interaction("A2", "B1", 2f, "Not great! Meh", 1363392000),
        ], interactions);
    }

    [Fact]
    public void Read_2018LayoutWithVoteStringAndMissingText_UsesWhatIsPresent()
    {
        var path = _dir.WriteLines("reviews.json",
        [
            """{"overall": 4.0, "vote": "1,234", "verified": true, "reviewTime": "01 2, 2018", "reviewerID": "U1", "asin": "I1", "style": {"Size:": " Large"}, "reviewerName": "n", "summary": "Nice", "unixReviewTime": 1514851200}""",
            """{"overall": 3.0, "vote": 7, "verified": false, "reviewerID": "U2", "asin": "I1", "image": ["https://x/y.jpg"], "reviewText": "Body only", "unixReviewTime": 1514851201}""",
            """{"overall": 1.0, "verified": false, "reviewerID": "U3", "asin": "I2", "reviewText": "", "summary": "  ", "unixReviewTime": 1514851202}""",
        ]);

        var interactions = AmazonReviewReader.Read(path).ToList();

        Assert.Equal(
        [
            new Interaction("U1", "I1", 4f, "Nice", 1514851200),
            new Interaction("U2", "I1", 3f, "Body only", 1514851201),
            new Interaction("U3", "I2", 1f, null, 1514851202),
        ], interactions);
    }

    [Fact]
    public void Read_2023Layout_UsesParentAsinAndFloorsMilliseconds()
    {
        var path = _dir.WriteLines("Books.jsonl",
        [
            """{"rating": 5.0, "title": "Great read", "text": "Loved it", "images": [], "asin": "V1", "parent_asin": "P1", "user_id": "AG1", "timestamp": 1588687728923, "helpful_vote": 2, "verified_purchase": true}""",
            """{"rating": 3.0, "title": "", "text": "ok", "asin": "V2", "user_id": "AG2", "timestamp": 1588687729000, "helpful_vote": 0, "verified_purchase": false}""",
        ]);

        var interactions = AmazonReviewReader.Read(path).ToList();

        Assert.Equal(
        [
            new Interaction("AG1", "P1", 5f, "Great read. Loved it", 1588687728),
            new Interaction("AG2", "V2", 3f, "ok", 1588687729),
        ], interactions);
    }

    [Fact]
    public void Read_GzipWithoutGzExtension_DetectsMagicBytes()
    {
        var line = """{"reviewerID": "A1", "asin": "B1", "overall": 4.0, "reviewText": "t", "unixReviewTime": 10}""";
        var gz = _dir.WriteLines("reviews.json.gz", [line], gzip: true);
        var disguised = _dir.WriteLines("disguised.json", [line], gzip: true);

        Assert.Equal([new Interaction("A1", "B1", 4f, "t", 10)], AmazonReviewReader.Read(gz).ToList());
        Assert.Equal([new Interaction("A1", "B1", 4f, "t", 10)], AmazonReviewReader.Read(disguised).ToList());
    }

    [Fact]
    public void Read_RowsMissingRequiredFields_SkipsAndCountsThem()
    {
        var path = _dir.WriteLines("reviews.json",
        [
            """{"reviewerID": "A1", "asin": "B1", "overall": 4.0, "unixReviewTime": 10}""",
            """{"asin": "B1", "overall": 4.0, "unixReviewTime": 11}""",
            """{"reviewerID": "", "asin": "B1", "overall": 4.0, "unixReviewTime": 12}""",
            """{"reviewerID": "A2", "overall": 4.0, "unixReviewTime": 13}""",
            """{"reviewerID": "A3", "asin": "B1", "overall": 4.0}""",
            """{"reviewerID": "A4", "asin": "B1", "unixReviewTime": 14}""",
            "",
            """{"reviewerID": "A5", "asin": "B2", "overall": null, "reviewText": "text only", "reviewTime": "7 4, 2014"}""",
        ]);
        var counters = new DatasetReadCounters();

        var interactions = AmazonReviewReader.Read(path, counters).ToList();

        Assert.Equal(
        [
            new Interaction("A1", "B1", 4f, null, 10),
            new Interaction("A5", "B2", null, "text only", 1404432000),
        ], interactions);
        Assert.Equal(7, counters.Rows);
        Assert.Equal(5, counters.Skipped);
    }

    [Theory]
    [InlineData("""{"reviewerID": "A1", "asin": "B1", "overall": 4.0, "unixReviewTime": 10""", "invalid JSON")]
    [InlineData("""["A1", "B1"]""", "expected a JSON object")]
    [InlineData("""{"reviewerID": "A1", "asin": "B1", "overall": "five", "unixReviewTime": 10}""", "rating \"five\" is not a number")]
    [InlineData("""{"reviewerID": "A1", "asin": "B1", "overall": 4.0, "reviewText": 3, "unixReviewTime": 10}""", "wrong type")]
    [InlineData("""{"reviewerID": "A1", "asin": "B1", "overall": 4.0, "unixReviewTime": 10} {}""", "invalid JSON")]
    public void Read_MalformedLine_ThrowsWithFileAndLineNumber(string badLine, string reason)
    {
        var good = """{"reviewerID": "A1", "asin": "B1", "overall": 4.0, "unixReviewTime": 10}""";
        var path = _dir.WriteLines("reviews.json", [good, "", good, badLine, good]);

        var ex = Assert.Throws<DatasetFormatException>(() => AmazonReviewReader.Read(path).ToList());

        Assert.Equal(path, ex.Path);
        Assert.Equal(4, ex.LineNumber);
        Assert.Contains(reason, ex.Reason);
        Assert.StartsWith($"{path}, line 4: ", ex.Message);
    }

    [Fact]
    public void Read_CrlfLineEndingsAndBom_AreAccepted()
    {
        var path = _dir.Write("reviews.json",
            "\uFEFF" + """{"reviewerID": "A1", "asin": "B1", "overall": 4.0, "unixReviewTime": 10}""" + "\r\n"
            + """{"reviewerID": "A2", "asin": "B1", "overall": 3.5, "unixReviewTime": 11}""");

        var interactions = AmazonReviewReader.Read(path).ToList();

        Assert.Equal([new Interaction("A1", "B1", 4f, null, 10), new Interaction("A2", "B1", 3.5f, null, 11)], interactions);
    }

    [Fact]
    public void Read_RepeatedIds_ShareOneStringInstance()
    {
        var path = _dir.WriteLines("reviews.json",
        [
            """{"reviewerID": "A1", "asin": "B1", "overall": 4.0, "unixReviewTime": 10}""",
            """{"reviewerID": "A1", "asin": "B2", "overall": 4.0, "unixReviewTime": 11}""",
        ]);

        var interactions = AmazonReviewReader.Read(path).ToList();

        Assert.Same(interactions[0].UserId, interactions[1].UserId);
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("Title", null, "Title")]
    [InlineData(null, "Body", "Body")]
    [InlineData("Title", "Body", "Title. Body")]
    [InlineData("Wow?", "Body", "Wow? Body")]
    [InlineData(" Done. ", " Body ", "Done. Body")]
    public void JoinReview_TitleAndBody_JoinsAsDocumented(string? title, string? body, string? expected)
    {
        Assert.Equal(expected, AmazonReviewReader.JoinReview(title, body));
    }
}
