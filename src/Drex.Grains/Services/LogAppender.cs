using Drex.Contracts;

namespace Drex.Grains.Services;

/// <summary>
/// A silo's way into the interaction log: appends from every ingest call on the silo that arrive while one is on its
/// way to the log grain go together in the next call (one message per batch instead of one per interaction; the log
/// grain then group-commits the batches of all silos). Each caller gets its own sequence numbers once its records are
/// durable.
/// </summary>
public sealed class LogAppender
{
    private readonly GroupCommit<InteractionRequest[], long[]> _appends;

    public LogAppender(GrainReferences grains) => _appends = new(async batch =>
    {
        var sequences = await grains.Get<IInteractionLogGrain>(DrexKeys.Log).AppendAsync([.. batch.SelectMany(requests => requests)]);
        var results = new long[batch.Count][];
        for (int k = 0, offset = 0; k < batch.Count; offset += batch[k].Length, k++)
        {
            results[k] = sequences[offset..(offset + batch[k].Length)];
        }

        return results;
    });

    /// <summary>Appends durably; the sequence numbers are in request order (a recently logged id gets its first one).</summary>
    public Task<long[]> AppendAsync(InteractionRequest[] requests) => _appends.AddAsync(requests);
}
