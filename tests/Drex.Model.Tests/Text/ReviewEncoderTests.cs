using System.Numerics.Tensors;
using Drex.Model.Text;

namespace Drex.Model.Tests.Text;

[Collection(EncoderCollection.Name)]
public sealed class ReviewEncoderTests(EncoderFixture fixture)
{
    private readonly ReviewEncoder _encoder = fixture.Encoder;

    [Fact]
    public void Encode_ShortSentence_GivesOneRowOf384PerContentPiece()
    {
        var encoded = _encoder.Encode(["The guitar strings sound great"])[0];

        Assert.Equal(["the", "guitar", "strings", "sound", "great"], encoded.Pieces);
        Assert.Equal(5, encoded.Length);
        Assert.Equal(5 * ReviewEncoder.Dimension, encoded.Vectors.Length);
        Assert.All(encoded.Vectors, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Encode_ParaphraseAndUnrelatedSentence_ParaphraseIsCloser()
    {
        var encoded = _encoder.Encode(
            ["The guitar strings sound great", "These guitar strings sound wonderful", "The invoice was paid by bank transfer yesterday"]);
        var anchor = encoded[0].MeanPooled();

        var paraphrase = TensorPrimitives.CosineSimilarity(anchor, encoded[1].MeanPooled());
        var unrelated = TensorPrimitives.CosineSimilarity(anchor, encoded[2].MeanPooled());

        Assert.True(paraphrase > 0.5f, $"paraphrase cosine {paraphrase}");
        Assert.True(unrelated < paraphrase - 0.3f, $"unrelated cosine {unrelated}, paraphrase {paraphrase}");
    }

    [Fact]
    public void Encode_BatchOfMixedLengths_EqualsOneByOneWithin1e4()
    {
        string[] texts =
        [
            "Great strings.",
            "",
            "The tuner clips on the headstock and reads every string quickly, even in a noisy room with a band playing.",
            "Cheap cable, crackles after a week.",
            "   ",
            "Works as described.",
        ];

        var batched = _encoder.Encode(texts);

        Assert.Equal(texts.Length, batched.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            var single = _encoder.Encode([texts[i]])[0];
            Assert.Equal(single.Pieces, batched[i].Pieces);
            var delta = new float[single.Vectors.Length];
            TensorPrimitives.Subtract(single.Vectors, batched[i].Vectors, delta);
            var difference = delta.Length == 0 ? 0 : TensorPrimitives.MaxMagnitude(delta);
            Assert.True(difference < 1e-4f, $"text {i}: max difference {difference}");
        }
    }

    [Fact]
    public async Task Encode_ConcurrentCalls_GiveSameVectorsAsOneCall()
    {
        string[] texts = ["Great strings.", "The tuner clips on the headstock.", "Cheap cable, crackles after a week."];
        var expected = _encoder.Encode(texts);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => _encoder.Encode(texts))));

        Assert.All(results, result => Assert.Equal(expected.Select(e => e.Vectors), result.Select(r => r.Vectors)));
    }

    [Fact]
    public void Encode_EmptyOrWhitespaceText_GivesLengthZero()
    {
        var encoded = _encoder.Encode(["", " \n\t "]);

        Assert.All(encoded, e => Assert.Equal(0, e.Length));
        Assert.All(encoded, e => Assert.Empty(e.Vectors));
    }

    [Fact]
    public void Encode_WithProgress_ReportsEveryTextDone()
    {
        var reports = new List<int>();
        var texts = Enumerable.Range(0, 20).Select(i => $"review number {i} says the pedal is fine").Append("").ToArray();

        _encoder.Encode(texts, new SynchronousProgress(reports.Add));

        // One report for the empty text, then one per batch of 16.
        Assert.Equal([1, 17, 21], reports);
    }

    [Fact]
    public void Encode_CancelledToken_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.Throws<OperationCanceledException>(() => _encoder.Encode(["a guitar"], null, cancellation.Token));
    }

    [Fact]
    public void Identity_EmbeddedModel_NamesModelHashAndLimit()
    {
        Assert.Matches("^all-MiniLM-L6-v2@[0-9a-f]{12}/max128/tok1$", _encoder.Identity);
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
