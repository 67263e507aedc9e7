using Drex.Model.Bundle;
using Drex.Model.Data;

namespace Drex.Storage.Tests;

/// <summary>Small bundles and log records for storage tests (stores never look inside graphs, so graphs are random bytes).</summary>
internal static class TestData
{
    public static ModelBundle Bundle(string version, int seed = 1)
    {
        var random = new Random(seed);
        var settings = new ModelSettings { HiddenDim = 4, GlobalMean = 3.5f };
        var graphs = ModelBundle.GraphFiles.ToDictionary(name => name, _ => Bytes(random, 256 + random.Next(256)));
        float[] State() => Enumerable.Range(0, settings.HiddenDim).Select(_ => random.NextSingle()).ToArray();
        var snapshot = new ActorSnapshot
        {
            UserInitial = State(),
            ItemInitial = State(),
            Users = [new ActorRecord("u1", State(), 0.1f, 3, 2, []), new ActorRecord("u2", State(), -0.2f, 1, 1, [])],
            Items = [new ActorRecord("i1", State(), 0.3f, 2, 2, [])],
        };
        return ModelBundle.Create(
            version, settings, "test-encoder", new TrainingWatermark(3, 2, 1_700_000_000), new ValidationMetrics(0.8, 1.0, 1.0, 3),
            graphs, snapshot, """{"documents":3}"""u8.ToArray());
    }

    public static InteractionLogRecord Record(long seq, int reviewLength = 8) =>
        new(seq, new Interaction($"user-{seq % 7}", $"item-{seq % 11}", seq % 2 == 0 ? 1 + seq % 5 : null,
            reviewLength > 0 ? new string('r', reviewLength) + $" ünïcödé {seq}" : null, 1_700_000_000 + seq, $"x-{seq}"));

    public static InteractionLogRecord[] Records(long first, int count, int reviewLength = 8) =>
        Enumerable.Range(0, count).Select(i => Record(first + i, reviewLength)).ToArray();

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
