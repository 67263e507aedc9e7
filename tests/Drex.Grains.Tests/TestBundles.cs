using System.Text;
using Drex.Model.Bundle;
using Drex.Model.Keywords;
using Drex.Model.Onnx;
using Drex.Model.Text;

namespace Drex.Grains.Tests;

/// <summary>Small, valid bundles with seeded random weights (the system's mechanics do not depend on training).</summary>
public static class TestBundles
{
    private static readonly Lazy<string> EncoderIdentity = new(() =>
    {
        using var encoder = ReviewEncoder.LoadEmbedded();
        return encoder.Identity;
    });

    /// <summary>
    /// The bundles' keyword vocabulary, one "review" per line: the words the tests' reviews use (only words of a
    /// model's vocabulary become keywords).
    /// </summary>
    private static readonly string[] Vocabulary =
    [
        "great guitar strings no cable noise",
        "lovely guitar strings smooth tremolo crisp cymbal",
        "bright guitar strings smooth tremolo arm feels tune",
        "warm humbucker tone guitar strings feel great fingers",
        "cymbal sounds crisp snare punchy",
        "studio microphone quiet preamp warm tone",
        "synthesizer keybed feels cheap arpeggiator fun",
        "guitar needed strings stand",
    ];

    public static ModelSettings Settings(RatingHead head = RatingHead.Dot) =>
        new() { HiddenDim = 8, FusionDim = 8, AttentionDim = 8, TextFeatureDim = 8, RatingDim = 4, MlpHiddenDim = 8, GlobalMean = 3.5f, Head = head };

    /// <summary>
    /// A bundle whose snapshot knows the given actors (states drawn at random; each with <paramref name="interactions"/>
    /// interactions, all rated) and nothing else.
    /// </summary>
    public static ModelBundle Create(
        string version, int seed, IReadOnlyList<string>? users = null, IReadOnlyList<string>? items = null,
        long watermark = -1, RatingHead head = RatingHead.Dot, int interactions = 3)
    {
        var s = Settings(head);
        var random = new Random(seed);
        float[] R(int n, double scale = 0.3) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
        var w = ModelWeights.Random(s, seed);
        ActorRecord Actor(string id) => new(id, R(s.HiddenDim), R(1)[0], interactions, interactions, [new(id + "word", 1f)]);
        var snapshot = new ActorSnapshot
        {
            UserInitial = R(s.HiddenDim),
            ItemInitial = R(s.HiddenDim),
            Users = [.. (users ?? []).Select(Actor)],
            Items = [.. (items ?? []).Select(Actor)],
        };
        return ModelBundle.Create(
            version, s, EncoderIdentity.Value, new TrainingWatermark(0, watermark, 0), new ValidationMetrics(0.8, 1, 1, 10),
            DrexGraphs.Build(s, w), snapshot,
            Encoding.UTF8.GetBytes(KeywordVocabulary.Build(Vocabulary.Select(d => (IReadOnlyList<string>)d.Split(' '))).ToJson()));
    }
}
