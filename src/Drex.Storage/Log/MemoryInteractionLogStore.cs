using Drex.Model.Data;

namespace Drex.Storage.Log;

/// <summary>
/// An in-process interaction log for tests and benchmarks: nothing survives the process. It checks records exactly
/// as the durable stores do (format, strictly increasing sequence numbers, records at or below the head skipped).
/// </summary>
public sealed class MemoryInteractionLogStore : IInteractionLogStore
{
    private readonly Lock _lock = new();
    private readonly List<InteractionLogRecord> _records = [];

    /// <summary>How many appends have written something (a store-level count, for tests of group commit).</summary>
    public int AppendCount { get; private set; }

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<InteractionLogRecord> records, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var pending = LogBatch.Pending(records, Head);
            if (pending.Count > 0)
            {
                LogBatch.Encode(pending, int.MaxValue);
                _records.AddRange(pending);
                AppendCount++;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<InteractionLogRecord> ReadAsync(long afterSequence, CancellationToken cancellationToken = default) =>
        Read(afterSequence, cancellationToken).ToAsyncEnumerable();

    /// <inheritdoc />
    public Task<long> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(Head);
        }
    }

    private IEnumerable<InteractionLogRecord> Read(long afterSequence, CancellationToken cancellationToken)
    {
        InteractionLogRecord[] snapshot;
        lock (_lock)
        {
            var start = FirstAbove(afterSequence);
            snapshot = _records.GetRange(start, _records.Count - start).ToArray();
        }

        foreach (var record in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
    }

    private long Head => _records.Count == 0 ? -1 : _records[^1].Seq;

    private int FirstAbove(long sequence)
    {
        int low = 0, high = _records.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_records[mid].Seq <= sequence)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
