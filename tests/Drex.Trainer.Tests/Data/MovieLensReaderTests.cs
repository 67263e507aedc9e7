using Drex.Model.Data;
using Drex.Trainer.Data;

namespace Drex.Trainer.Tests.Data;

public sealed class MovieLensReaderTests : IDisposable
{
    private const string RatingsHeader = "userId,movieId,rating,timestamp";
    private const string TagsHeader = "userId,movieId,tag,timestamp";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_RatingsWithQuotedTags_JoinsTagsInTimestampOrder()
    {
        _dir.WriteLines("ratings.csv", [RatingsHeader, "1,10,4.0,100", "1,20,2.5,200", "2,10,0.5,300"]);
        _dir.WriteLines("tags.csv",
        [
            TagsHeader,
            "1,10,\"dark, moody\",150",
            "1,10,funny,120",
            "1,10,\"\"\"artsy\"\"\",150",
            "2,10,\"twist\r\nending\",301",
        ]);

        var interactions = MovieLensReader.Read(_dir.Path).ToList();

        Assert.Equal(
        [
            new Interaction("1", "10", 4f, "funny, dark, moody, \"artsy\"", 100),
            new Interaction("1", "20", 2.5f, null, 200),
            new Interaction("2", "10", 0.5f, "twist\r\nending", 300),
        ], interactions);
    }

    [Fact]
    public void Read_TagsOnUnratedPairs_BecomeReviewOnlyInteractionsAfterRatings()
    {
        _dir.WriteLines("ratings.csv", [RatingsHeader, "1,10,4.0,100"]);
        _dir.WriteLines("tags.csv", [TagsHeader, "3,30,later,500", "2,10,b,250", "3,30,first,400", "2,10,a,200"]);

        var interactions = MovieLensReader.Read(_dir.Path).ToList();

        Assert.Equal(
        [
            new Interaction("1", "10", 4f, null, 100),
            new Interaction("3", "30", null, "first, later", 500),
            new Interaction("2", "10", null, "a, b", 250),
        ], interactions);
    }

    [Fact]
    public void Read_GzipFilesWithReorderedColumns_ReadsThem()
    {
        _dir.WriteLines("ratings.csv.gz", ["timestamp,rating,movieId,userId", "100,3.5,10,1"], gzip: true);
        _dir.WriteLines("tags.csv.gz", ["userId,movieId,tag,timestamp", "1,10,\"quoted, tag\",99"], gzip: true);

        var interactions = MovieLensReader.Read(_dir.Path).ToList();

        Assert.Equal([new Interaction("1", "10", 3.5f, "quoted, tag", 100)], interactions);
    }

    [Fact]
    public void Read_NoTagsFile_ReviewsAreNull()
    {
        _dir.Write("ratings.csv", RatingsHeader + "\r\n1,10,4.0,100\r\n2,10,5.0,101");

        var interactions = MovieLensReader.Read(_dir.Path).ToList();

        Assert.Equal([new Interaction("1", "10", 4f, null, 100), new Interaction("2", "10", 5f, null, 101)], interactions);
    }

    [Fact]
    public void Read_RowsWithoutIdsAndBlankTags_SkipsAndCountsThem()
    {
        _dir.WriteLines("ratings.csv", [RatingsHeader, "1,10,4.0,100", ",10,4.0,100", "1,,4.0,100", ""]);
        _dir.WriteLines("tags.csv", [TagsHeader, "1,10,\" \",100", "1,10,ok,100"]);
        var counters = new DatasetReadCounters();

        var interactions = MovieLensReader.Read(_dir.Path, counters).ToList();

        Assert.Equal([new Interaction("1", "10", 4f, "ok", 100)], interactions);
        Assert.Equal(5, counters.Rows);
        Assert.Equal(3, counters.Skipped);
    }

    [Theory]
    [InlineData("1,10,four,100", 3, "rating \"four\" is not a number")]
    [InlineData("1,10,4.0,soon", 3, "timestamp \"soon\" is not an integer")]
    [InlineData("1,10,4.0", 3, "expected 4 fields as in the header, found 3")]
    [InlineData("1,10,\"4.0\"x,100", 3, "unexpected character after a closing quote")]
    [InlineData("1,10,\"4.0,100", 3, "a quoted field is not closed")]
    public void Read_MalformedRatingsRow_ThrowsWithLineNumber(string badRow, int line, string reason)
    {
        var path = _dir.WriteLines("ratings.csv", [RatingsHeader, "1,11,4.0,100", badRow, "1,12,4.0,100"]);

        var ex = Assert.Throws<DatasetFormatException>(() => MovieLensReader.Read(_dir.Path).ToList());

        Assert.Equal(path, ex.Path);
        Assert.Equal(line, ex.LineNumber);
        Assert.Equal(reason, ex.Reason);
    }

    [Fact]
    public void Read_MultiLineQuotedTag_ReportsLaterLinesCorrectly()
    {
        _dir.WriteLines("ratings.csv", [RatingsHeader, "1,10,4.0,100"]);
        var tags = _dir.WriteLines("tags.csv", [TagsHeader, "1,10,\"two\nlines\",100", "1,10,ok,x"]);

        var ex = Assert.Throws<DatasetFormatException>(() => MovieLensReader.Read(_dir.Path).ToList());

        Assert.Equal(tags, ex.Path);
        Assert.Equal(4, ex.LineNumber);
    }

    [Fact]
    public void Read_HeaderWithoutRatingColumn_ThrowsNamingExpectedHeader()
    {
        var path = _dir.WriteLines("ratings.csv", ["userId,movieId,score,timestamp", "1,10,4.0,100"]);

        var ex = Assert.Throws<DatasetFormatException>(() => MovieLensReader.Read(_dir.Path).ToList());

        Assert.Equal(path, ex.Path);
        Assert.Equal("the header has no rating column; expected userId,movieId,rating,timestamp", ex.Reason);
    }

    [Fact]
    public void Read_DatLayout_SplitsOnDoubleColons_AndKeepsColonsInsideTags()
    {
        _dir.WriteLines("ratings.dat", ["1::10::5::100", "1::20::3::200", ""], gzip: true);
        _dir.WriteLines("tags.dat", ["1::10::sci-fi::150", "1::10::watch::later::120", "2::30::classic::400"]);
        var counters = new DatasetReadCounters();

        var interactions = MovieLensReader.Read(_dir.Path, counters).ToList();

        Assert.Equal(
        [
            new Interaction("1", "10", 5f, "watch::later, sci-fi", 100),
            new Interaction("1", "20", 3f, null, 200),
            new Interaction("2", "30", null, "classic", 400),
        ], interactions);
        Assert.Equal(5, counters.Rows);
    }

    [Fact]
    public void Read_TabLayout_Ml100k_ReadsUData()
    {
        _dir.WriteLines("u.data", ["196\t242\t3\t881250949", "186\t302\t3\t891717742"]);

        var interactions = MovieLensReader.Read(_dir.Path).ToList();

        Assert.Equal([new Interaction("196", "242", 3f, null, 881250949), new Interaction("186", "302", 3f, null, 891717742)], interactions);
    }

    [Theory]
    [InlineData("ratings.dat", "1::10::5", "expected 4 '::'-separated fields (user, movie, rating or tag, timestamp), found 3")]
    [InlineData("ratings.dat", "1::10::5::x", "timestamp \"x\" is not an integer")]
    [InlineData("ratings.dat", "1::10::5::1::100", "rating \"5::1\" is not a number")]
    [InlineData("ratings.dat", "1,10,5,100", "expected 4 '::'-separated fields (user, movie, rating or tag, timestamp), found 1")]
    [InlineData("u.data", "196 242 3 881250949", "expected 4 tab-separated fields (user, movie, rating or tag, timestamp), found 1")]
    public void Read_MalformedHeaderlessRow_ThrowsWithLineNumber(string file, string badRow, string reason)
    {
        var separator = file == "u.data" ? "\t" : "::";
        var path = _dir.WriteLines(file, [string.Join(separator, "1", "11", "4", "100"), badRow]);

        var ex = Assert.Throws<DatasetFormatException>(() => MovieLensReader.Read(_dir.Path).ToList());

        Assert.Equal(path, ex.Path);
        Assert.Equal(2, ex.LineNumber);
        Assert.Equal(reason, ex.Reason);
    }

    [Fact]
    public void Read_FolderWithoutRatings_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => MovieLensReader.Read(_dir.Path));
    }
}
