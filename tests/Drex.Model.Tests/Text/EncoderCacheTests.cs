using Drex.Model.Text;

namespace Drex.Model.Tests.Text;

[Collection(EncoderCollection.Name)]
public sealed class EncoderCacheTests(EncoderFixture fixture) : IDisposable
{
    private readonly EncoderCacheOptions _options = new()
    {
        Directory = Path.Combine(Path.GetTempPath(), "drex-cache-tests", Guid.NewGuid().ToString("N")),
    };

    public void Dispose() => Directory.Delete(_options.Directory, recursive: true);

    [Fact]
    public void Encode_SecondOpen_ServesStoredVectorsWithoutEncoding()
    {
        string[] texts = ["The guitar strings sound great", "Cheap cable, crackles after a week.", "Works."];
        var encoder = new CountingEncoder(fixture.Encoder);
        IReadOnlyList<EncodedText> first;
        using (var cache = new EncoderCache(encoder, _options))
        {
            first = cache.Encode(texts);
        }

        using var reopened = new EncoderCache(encoder, _options);
        var second = reopened.Encode(texts);

        Assert.Equal(1, encoder.Calls);
        Assert.Equal(3, encoder.Texts);
        Assert.Equal(3, reopened.Hits);
        Assert.Equal(0, reopened.Misses);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(first[i].Pieces, second[i].Pieces);
            AssertHalfPrecision(first[i].Vectors, second[i].Vectors);
        }
    }

    [Fact]
    public void Encode_MixOfStoredAndNewTexts_EncodesOnlyNewOnes()
    {
        var encoder = new CountingEncoder(new FakeEncoder());
        using var cache = new EncoderCache(encoder, _options);
        cache.Encode(["alpha beta", "gamma"]);

        var result = cache.Encode(["gamma", "delta epsilon", "alpha beta", "delta epsilon", " "]);

        Assert.Equal(["gamma", "alpha beta", "delta epsilon"], encoder.Seen);
        Assert.Equal(["delta", "epsilon"], result[1].Pieces);
        Assert.Same(result[1], result[3]);
        Assert.Equal(0, result[4].Length);
        Assert.Equal(3, cache.Count);
        Assert.Equal(2, cache.Hits);
        Assert.Equal(3, cache.Misses);
    }

    [Fact]
    public void Open_TruncatedLastRecord_TrimsItAndReencodesOnlyThatText()
    {
        var path = Fill(["one", "two two", "three three three"]);
        var whole = new FileInfo(path).Length;
        using (var file = File.OpenWrite(path))
        {
            file.SetLength(whole - 10);
        }

        var encoder = new CountingEncoder(new FakeEncoder());
        using var cache = new EncoderCache(encoder, _options);
        var trimmedBytes = cache.TrimmedBytes;
        var countAtOpen = cache.Count;
        var result = cache.Encode(["one", "two two", "three three three"]);

        // The record of "three three three": 44 header + 3 x (2 + 5) pieces + 3 x 768 halves + 8 checksum = 2377.
        Assert.Equal(2377 - 10, trimmedBytes);
        Assert.Equal(2, countAtOpen);
        Assert.Equal(["three three three"], encoder.Seen);
        Assert.Equal(["three", "three", "three"], result[2].Pieces);
        Assert.Equal(whole, new FileInfo(path).Length);
    }

    [Fact]
    public void Open_LastRecordWithBadChecksum_TrimsIt()
    {
        var path = Fill(["one", "two two"]);
        using (var file = File.Open(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Seek(-20, SeekOrigin.End);
            var value = file.ReadByte();
            file.Seek(-20, SeekOrigin.End);
            file.WriteByte((byte)(value ^ 0xFF));
        }

        var encoder = new CountingEncoder(new FakeEncoder());
        using var cache = new EncoderCache(encoder, _options);
        cache.Encode(["one", "two two"]);

        // The record of "two two": 44 header + 2 x (2 + 3) pieces + 2 x 768 halves + 8 checksum = 1598.
        Assert.Equal(1598, cache.TrimmedBytes);
        Assert.Equal(["two two"], encoder.Seen);
    }

    [Fact]
    public void Open_FileOfAnotherFormat_ThrowsInvalidData()
    {
        var path = Fill(["one"]);
        File.WriteAllText(path, "this is not a pack file, not at all");

        Assert.Throws<InvalidDataException>(() => new EncoderCache(new FakeEncoder(), _options));
    }

    [Fact]
    public void Open_FileAlreadyOpen_ThrowsIOException()
    {
        using var cache = new EncoderCache(new FakeEncoder(), _options);

        var error = Assert.Throws<IOException>(() => new EncoderCache(new FakeEncoder(), _options));
        Assert.Contains("in use", error.Message);
    }

    [Fact]
    public void Encode_ManyMissesInSmallChunks_ReportsProgressUpToCount()
    {
        var reports = new List<int>();
        var encoder = new CountingEncoder(new FakeEncoder());
        using var cache = new EncoderCache(encoder, _options with { ChunkSize = 2 });
        cache.Encode(["a b", "c"]);

        cache.Encode(["c", "d", "e e", "f f f", "g"], new SynchronousProgress(reports.Add));

        Assert.Equal(3, encoder.Calls);
        Assert.Equal(5, reports[^1]);
        Assert.Equal(reports.Order(), reports);
        Assert.Equal(1, reports[0]);
    }

    private string Fill(string[] texts)
    {
        using var cache = new EncoderCache(new FakeEncoder(), _options);
        foreach (var text in texts)
        {
            cache.Encode([text]);
        }

        return cache.FilePath;
    }

    private static void AssertHalfPrecision(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= (Math.Abs(expected[i]) * 4.9e-4f) + 1e-7f, $"index {i}: {expected[i]} vs {actual[i]}");
        }
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
