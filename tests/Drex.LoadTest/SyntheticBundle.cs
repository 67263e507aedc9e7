using Drex.Model.Bundle;
using Drex.Model.Keywords;
using Drex.Model.Onnx;
using Drex.Model.Text;

namespace Drex.LoadTest;

/// <summary>
/// A valid bundle with seeded random weights and a snapshot of as many users and items as asked (the serving path's
/// cost does not depend on training): the same construction as tests/Drex.Grains.Tests/TestBundles.cs, with the
/// production dimensions (hidden 64 unless asked otherwise) and a few keywords per actor so explanations have work.
/// </summary>
public static class SyntheticBundle
{
    private static readonly string[] Vocabulary =
    [
        "bright", "warm", "strings", "guitar", "cable", "noise", "tone", "sturdy", "cheap", "sound", "pedal", "tuner",
        "quality", "value", "amp", "hum", "crisp", "battery", "strap", "case", "neck", "fret", "buzz", "mic",
    ];

    public static ModelBundle Create(string version, int seed, int users, int items, int hidden, string userPrefix, string itemPrefix, string encoderIdentity)
    {
        var s = new ModelSettings { HiddenDim = hidden, GlobalMean = 3.8f };
        var random = new Random(seed);
        float[] R(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
        var w = ModelWeights.Random(s, seed);

        ActorRecord Actor(string id)
        {
            var keywords = new KeywordWeight[3];
            for (var k = 0; k < keywords.Length; k++)
            {
                keywords[k] = new KeywordWeight(Vocabulary[random.Next(Vocabulary.Length)], (float)random.NextDouble());
            }

            return new ActorRecord(id, R(hidden, 0.3), (float)((random.NextDouble() * 2 - 1) * 0.3), 3, 3,
                keywords.DistinctBy(k => k.Word).OrderByDescending(k => k.Weight).ToArray());
        }

        var snapshot = new ActorSnapshot
        {
            UserInitial = R(hidden, 0.3),
            ItemInitial = R(hidden, 0.3),
            Users = [.. Enumerable.Range(0, users).Select(k => Actor($"{userPrefix}{k}"))],
            Items = [.. Enumerable.Range(0, items).Select(k => Actor($"{itemPrefix}{k}"))],
        };
        var vocabulary = KeywordVocabulary.Build(Vocabulary.Select(word => (IReadOnlyList<string>)[word]));
        return ModelBundle.Create(
            version, s, encoderIdentity, new TrainingWatermark(0, -1, 0), new ValidationMetrics(0.8, 1, 1, 10),
            DrexGraphs.Build(s, w), snapshot, System.Text.Encoding.UTF8.GetBytes(vocabulary.ToJson()));
    }

    /// <summary>The identity of the encoder the silos run (bundles must name it).</summary>
    public static string EncoderIdentity()
    {
        using var encoder = ReviewEncoder.LoadEmbedded();
        return encoder.Identity;
    }
}
