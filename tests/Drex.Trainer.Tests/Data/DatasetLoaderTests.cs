using Drex.Model.Data;
using Drex.Trainer.Data;

namespace Drex.Trainer.Tests.Data;

public sealed class DatasetLoaderTests : IDisposable
{
    private const string Amazon2014Line = """{"reviewerID": "A1", "asin": "B1", "overall": 4.0, "reviewText": "t", "unixReviewTime": 10}""";
    private const string Amazon2023Line = """{"rating": 2.0, "title": "", "text": "t", "asin": "V1", "parent_asin": "P1", "user_id": "U1", "timestamp": 10999}""";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_Amazon2014GzipFile_DetectsFormatAndReports()
    {
        var path = _dir.WriteLines("reviews_X_5.json.gz", ["", Amazon2014Line, """{"asin": "B1", "overall": 1.0, "unixReviewTime": 1}"""], gzip: true);

        var loaded = DatasetLoader.Load(path);

        Assert.Equal([new Interaction("A1", "B1", 4f, "t", 10)], loaded.Interactions);
        Assert.Equal((path, DatasetFormat.Amazon2014, 2L, 1L, 1), (loaded.Report.Path, loaded.Report.Format, loaded.Report.Rows, loaded.Report.SkippedRows, loaded.Report.Interactions));
    }

    [Fact]
    public void Load_Amazon2023File_DetectsFormat()
    {
        var path = _dir.WriteLines("Books.jsonl", [Amazon2023Line]);

        var loaded = DatasetLoader.Load(path);

        Assert.Equal(DatasetFormat.Amazon2023, loaded.Report.Format);
        Assert.Equal([new Interaction("U1", "P1", 2f, "t", 10)], loaded.Interactions);
    }

    [Fact]
    public void Load_InteractionLog_DetectsFormatAndKeepsIds()
    {
        var path = Path.Combine(_dir.Path, "log.jsonl");
        using (var writer = new InteractionLogWriter(File.Create(path)))
        {
            writer.Append(new InteractionLogRecord(1, new Interaction("u", "i", 5f, null, 7, "x1")));
        }

        var loaded = DatasetLoader.Load(path);

        Assert.Equal(DatasetFormat.InteractionLog, loaded.Report.Format);
        Assert.Equal([new Interaction("u", "i", 5f, null, 7, "x1")], loaded.Interactions);
    }

    [Fact]
    public void Load_MalformedInteractionLog_ThrowsDatasetFormatExceptionWithLine()
    {
        var path = _dir.WriteLines("log.jsonl",
        [
            """{"id":"x1","userId":"u","itemId":"i","rating":5,"review":null,"timestamp":7,"seq":1}""",
            """{"id":"x2","userId":"u","itemId":"i","rating":5,"review":null,"seq":2}""",
        ]);

        var ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(path));

        Assert.Equal((path, 2L), (ex.Path, ex.LineNumber));
        Assert.IsType<InteractionLogFormatException>(ex.InnerException);
    }

    [Fact]
    public void Load_MovieLensFolder_DetectsFormat()
    {
        _dir.WriteLines("ratings.csv.gz", ["userId,movieId,rating,timestamp", "1,10,4.0,100"], gzip: true);

        var loaded = DatasetLoader.Load(_dir.Path);

        Assert.Equal(DatasetFormat.MovieLens, loaded.Report.Format);
        Assert.Equal([new Interaction("1", "10", 4f, null, 100)], loaded.Interactions);
    }

    [Theory]
    [InlineData("ratings.csv")]
    [InlineData("ratings.csv.gz")]
    [InlineData("ratings.dat")]
    [InlineData("u.data")]
    public void Detect_MovieLensRatingsPath_ResolvesToItsFolder(string name)
    {
        var ratings = _dir.WriteLines(name, ["userId,movieId,rating,timestamp"]);

        Assert.Equal((_dir.Path, DatasetFormat.MovieLens), DatasetLoader.Detect(ratings));
    }

    [Fact]
    public void Load_FolderWithOneJsonFile_ReadsThatFile()
    {
        var path = _dir.WriteLines("reviews.json", [Amazon2014Line]);
        _dir.WriteLines("README.md", ["# notes"]);

        var loaded = DatasetLoader.Load(_dir.Path);

        Assert.Equal((path, DatasetFormat.Amazon2014, 1), (loaded.Report.Path, loaded.Report.Format, loaded.Interactions.Count));
    }

    [Fact]
    public void Load_FolderWithTwoJsonFiles_ThrowsNamingThem()
    {
        _dir.WriteLines("a.json", [Amazon2014Line]);
        _dir.WriteLines("b.jsonl.gz", [Amazon2014Line], gzip: true);

        var ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(_dir.Path));

        Assert.Equal("the folder holds 2 JSON files (a.json, b.jsonl.gz); name one of them", ex.Reason);
    }

    [Fact]
    public void Load_EmptyFolder_ThrowsNamingExpectedFormats()
    {
        var ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(_dir.Path));

        Assert.StartsWith("no dataset found in the folder; expected Amazon 2014/2018 JSON lines", ex.Reason);
        Assert.Equal(0, ex.LineNumber);
    }

    [Fact]
    public void Load_UnknownKeys_ThrowsNamingFoundAndExpected()
    {
        var path = _dir.WriteLines("other.json", ["", """{"user": "u", "item": "i"}"""]);

        var ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(path));

        Assert.Equal(2, ex.LineNumber);
        Assert.StartsWith("unknown format (found keys item, user); expected Amazon 2014/2018 JSON lines (reviewerID, asin)", ex.Reason);
    }

    [Fact]
    public void Load_FirstLineNotJson_Throws()
    {
        var path = _dir.WriteLines("ratings.json", ["userId,movieId,rating,timestamp"]);

        var ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(path));

        Assert.Equal(1, ex.LineNumber);
        Assert.StartsWith("the first line is not JSON", ex.Reason);
    }

    [Fact]
    public void Load_EmptyFile_Throws()
    {
        var path = _dir.Write("empty.json", "\n\n");

        var ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(path));

        Assert.StartsWith("the file is empty; expected", ex.Reason);
    }

    [Fact]
    public void Load_MissingPath_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => DatasetLoader.Load(Path.Combine(_dir.Path, "nope.json")));
    }
}
