using Drex.Contracts;
using Drex.Grains.Services;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Drex.Grains.Tests;

public sealed class PooledGrainStorageSerializerTests
{
    private static readonly Serializer Serializer =
        new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(ActorState).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();

    [Fact]
    public void Serialize_WritesOrleansBinaryFormat_ByteForByte()
    {
        var state = State(entries: 3_000, seed: 1);

        var pooled = new PooledGrainStorageSerializer(Serializer).Serialize(state).ToArray();
        var stock = new OrleansGrainStorageSerializer(Serializer).Serialize(state).ToArray();

        Assert.Equal(stock, pooled);
        var back = new OrleansGrainStorageSerializer(Serializer).Deserialize<ActorState>(new BinaryData(pooled))!;
        Assert.Equal(state.Pending.Entries(), back.Pending.Entries());
        Assert.Equal(state.Keywords, back.Keywords);
    }

    [Fact]
    public void Serialize_AfterALargerState_ReturnsOnlyTheSmallerStatesBytes()
    {
        var serializer = new PooledGrainStorageSerializer(Serializer);
        var small = State(entries: 2, seed: 2);
        var expected = new OrleansGrainStorageSerializer(Serializer).Serialize(small).ToArray();

        serializer.Serialize(State(entries: 50_000, seed: 3));
        var bytes = serializer.Serialize(small).ToArray();

        Assert.Equal(expected, bytes);
        Assert.Equal(small.Pending.Entries(), serializer.Deserialize<ActorState>(new BinaryData(bytes))!.Pending.Entries());
    }

    [Fact]
    public void Serialize_OnManyThreadsAtOnce_KeepsEveryStateApart()
    {
        var serializer = new PooledGrainStorageSerializer(Serializer);
        var states = Enumerable.Range(0, 64).Select(k => State(entries: 10 + k * 97, seed: k)).ToArray();

        var written = new BinaryData[states.Length];
        Parallel.For(0, states.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, k => written[k] = serializer.Serialize(states[k]));

        for (var k = 0; k < states.Length; k++)
        {
            var back = serializer.Deserialize<ActorState>(written[k])!;
            Assert.Equal(states[k].Pending.Entries(), back.Pending.Entries());
            Assert.Equal(states[k].State, back.State);
        }
    }

    private static ActorState State(int entries, int seed)
    {
        var random = new Random(seed);
        var state = new ActorState
        {
            ModelVersion = $"v{seed}",
            State = Enumerable.Range(0, 64).Select(_ => random.NextSingle()).ToArray(),
            Keywords = [new Keyword("tuner", 0.5f + seed)],
        };
        for (var k = 0; k < entries; k++)
        {
            state.Pending.Add(new PendingInteraction(seed * 1_000_000L + k, random.Next(2) == 0 ? null : 1 + random.Next(5), HasReview: k % 3 == 0));
            state.Recent.Add($"{seed}-{k}");
        }

        return state;
    }
}
