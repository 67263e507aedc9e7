using System.Text;
using Drex.Model.Data;

namespace Drex.Trainer.Tests.Data;

public sealed class InteractionLogTests
{
    private static readonly InteractionLogRecord[] Records =
    [
        new(1, new Interaction("u1", "i1", 4.5f, "Great \"value\",\nwould buy again: café ☕", 1700000000, "x1")),
        new(2, new Interaction("u2", "i1", null, "review only", 1700000001, "x2")),
        new(3, new Interaction("u1", "i2", 3f, null, 1700000002, "x3")),
    ];

    [Fact]
    public void Append_Records_WritesOneCompactLineEach()
    {
        var text = Encoding.UTF8.GetString(Write(Records));

        Assert.Equal(
            """{"id":"x1","userId":"u1","itemId":"i1","rating":4.5,"review":"Great \"value\",\nwould buy again: café ☕","timestamp":1700000000,"seq":1}""" + "\n"
            + """{"id":"x2","userId":"u2","itemId":"i1","rating":null,"review":"review only","timestamp":1700000001,"seq":2}""" + "\n"
            + """{"id":"x3","userId":"u1","itemId":"i2","rating":3,"review":null,"timestamp":1700000002,"seq":3}""" + "\n",
            text);
    }

    [Fact]
    public void ReadAll_WrittenRecords_RoundTrips()
    {
        var bytes = Write(Records);
        var reader = new InteractionLogReader(new MemoryStream(bytes), "log");

        var read = reader.ReadAll().ToList();

        Assert.Equal(Records, read);
        Assert.False(reader.TornTail);
        Assert.Equal(bytes.Length, reader.CommittedBytes);
    }

    [Fact]
    public async Task AppendAsync_Records_MatchesSynchronousOutput()
    {
        using var stream = new MemoryStream();
        await using (var writer = new InteractionLogWriter(stream, leaveOpen: true))
        {
            foreach (var record in Records)
            {
                await writer.AppendAsync(record);
            }
        }

        Assert.Equal(Write(Records), stream.ToArray());
    }

    [Fact]
    public void ReadAll_TornFinalLine_IgnoresItAndReportsCommittedBytes()
    {
        var complete = Write(Records[..2]);
        var torn = Encoding.UTF8.GetBytes("""{"id":"x3","userId":"u1","ite""");
        var reader = new InteractionLogReader(new MemoryStream([.. complete, .. torn]), "log");

        var read = reader.ReadAll().ToList();

        Assert.Equal(Records[..2], read);
        Assert.True(reader.TornTail);
        Assert.Equal(complete.Length, reader.CommittedBytes);
    }

    [Fact]
    public void ReadAll_CompleteRecordWithoutNewline_IsTreatedAsUncommitted()
    {
        var complete = Write(Records[..1]);
        var last = Write(Records[1..2]);
        var reader = new InteractionLogReader(new MemoryStream([.. complete, .. last[..^1]]));

        var read = reader.ReadAll().ToList();

        Assert.Equal(Records[..1], read);
        Assert.True(reader.TornTail);
    }

    [Fact]
    public void ReadAll_BlankLinesAndTrailingWhitespace_AreSkipped()
    {
        var bytes = Write(Records[..1]);
        var reader = new InteractionLogReader(new MemoryStream([.. "\n\r\n"u8, .. bytes, .. "  \n \t"u8]));

        var read = reader.ReadAll().ToList();

        Assert.Equal(Records[..1], read);
        Assert.False(reader.TornTail);
    }

    [Theory]
    [InlineData("""{"id":"x9","userId":"u1","itemId":"i2","rating":3,"review":null,"timestamp":1}""", "a record needs id, userId, itemId, timestamp and seq")]
    [InlineData("""{"id":"x9","userId":"u1","itemId":"i2","rating":"3","timestamp":1,"seq":9}""", "a property has the wrong type")]
    [InlineData("""{"id":"x9","userId":"u1","itemId":"i2","rating":3,"timestamp":1.5,"seq":9}""", "a property has the wrong type")]
    [InlineData("""{"id":"x9","userId":"u1",""", "invalid JSON")]
    [InlineData("""[1,2]""", "invalid JSON (expected a JSON object)")]
    public void ReadAll_MalformedMiddleLine_ThrowsWithLineNumber(string line, string reason)
    {
        byte[] bytes = [.. Write(Records[..1]), .. Encoding.UTF8.GetBytes(line + "\n"), .. Write(Records[1..])];
        var reader = new InteractionLogReader(new MemoryStream(bytes), "events.jsonl");

        var ex = Assert.Throws<InteractionLogFormatException>(() => reader.ReadAll().ToList());

        Assert.Equal("events.jsonl", ex.SourceName);
        Assert.Equal(2, ex.LineNumber);
        Assert.StartsWith(reason, ex.Reason);
        Assert.StartsWith("events.jsonl, line 2: ", ex.Message);
    }

    [Fact]
    public void ReadAll_LongLinesAcrossBufferRefills_RoundTrip()
    {
        var records = Enumerable.Range(0, 50)
            .Select(n => new InteractionLogRecord(n, new Interaction($"u{n}", $"i{n}", n % 5 + 1, new string('w', 10_000 + n * 997), n, $"x{n}")))
            .ToList();

        var read = new InteractionLogReader(new MemoryStream(Write(records))).ReadAll().ToList();

        Assert.Equal(records, read);
    }

    [Fact]
    public void Append_InteractionWithoutId_Throws()
    {
        using var writer = new InteractionLogWriter(new MemoryStream());

        var ex = Assert.Throws<ArgumentException>(() => writer.Append(new(1, new Interaction("u", "i", 1f, null, 0))));

        Assert.StartsWith("A logged interaction needs an id.", ex.Message);
    }

    [Fact]
    public void Append_NonFiniteRating_Throws()
    {
        using var writer = new InteractionLogWriter(new MemoryStream());

        Assert.Throws<ArgumentException>(() => writer.Append(new(1, new Interaction("u", "i", float.NaN, null, 0, "x"))));
    }

    [Fact]
    public void ReadAll_SecondEnumeration_Throws()
    {
        var reader = new InteractionLogReader(new MemoryStream(Write(Records)));
        _ = reader.ReadAll().ToList();

        Assert.Throws<InvalidOperationException>(() => reader.ReadAll());
    }

    private static byte[] Write(IEnumerable<InteractionLogRecord> records)
    {
        using var stream = new MemoryStream();
        using (var writer = new InteractionLogWriter(stream, leaveOpen: true))
        {
            foreach (var record in records)
            {
                writer.Append(record);
            }
        }

        return stream.ToArray();
    }
}
