using Drex.Model.Runtime;

namespace Drex.Model.Tests.Runtime;

public sealed class MicroBatcherTests
{
    [Fact]
    public async Task ALoneRequest_RunsAtOnce_OnItsCallersThread()
    {
        var thread = -1;
        var batcher = new MicroBatcher<int, int>(
            batch =>
            {
                thread = Environment.CurrentManagedThreadId;
                return [.. batch.Select(x => x * 2)];
            },
            maxBatch: 8);

        var result = batcher.RunAsync(21);

        Assert.True(result.IsCompletedSuccessfully);
        Assert.Equal(Environment.CurrentManagedThreadId, thread);
        Assert.Equal(42, await result);
    }

    [Fact]
    public async Task RequestsArrivingWhileABatchRuns_GoTogether_InBatchesOfAtMostMax()
    {
        using var firstStarted = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        var batches = new List<int[]>();
        var batcher = new MicroBatcher<int, int>(
            batch =>
            {
                lock (batches)
                {
                    batches.Add(batch);
                }

                if (batch.Contains(0))
                {
                    firstStarted.Set();
                    releaseFirst.Wait();
                }

                return [.. batch.Select(x => x + 100)];
            },
            maxBatch: 4);

        var first = Task.Run(() => batcher.RunAsync(0));
        firstStarted.Wait();
        var queued = Enumerable.Range(1, 6).Select(batcher.RunAsync).ToArray();
        Assert.All(queued, t => Assert.False(t.IsCompleted));
        releaseFirst.Set();

        Assert.Equal(100, await first);
        var results = await Task.WhenAll(queued);
        Assert.Equal(new[] { 101, 102, 103, 104, 105, 106 }, results);
        Assert.Equal([[0], [1, 2, 3, 4], [5, 6]], batches);
    }

    [Fact]
    public async Task AFailingBatch_FailsItsRequestsOnly()
    {
        var batcher = new MicroBatcher<int, int>(batch => batch.Contains(-1) ? throw new InvalidOperationException("bad") : batch, maxBatch: 8);

        await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.RunAsync(-1));
        Assert.Equal(5, await batcher.RunAsync(5));
    }
}
