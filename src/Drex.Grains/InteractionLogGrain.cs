using Drex.Contracts;
using Drex.Model.Data;
using Drex.Storage;
using Orleans.Concurrency;

namespace Drex.Grains;

/// <summary>
/// The single writer of the interaction log. Reentrant so appends arriving while a write is in flight queue up
/// and go out together in the next write (group commit): one storage round trip serves many interactions, and
/// every caller's task completes only once its records are durable. A retried interaction id seen recently gets
/// its first sequence number back and is not logged again (the trainer also deduplicates, for retries older than
/// this window).
/// <para>
/// The recent ids are read back from the log's durable tail when the grain activates, so a retry keeps its first
/// sequence number across a reactivation too (a silo that stopped, a grain that moved): the actors know a sequence
/// they applied (their pending interactions) long after the id has left their own id windows. Without this, a retry
/// after the log moved got a new sequence, and an actor whose window no longer held its id, such as a hot item's,
/// applied it a second time.
/// </para>
/// </summary>
[Reentrant]
public sealed class InteractionLogGrain(IInteractionLogStore store) : Grain, IInteractionLogGrain
{
    /// <summary>How many recent interaction ids the log remembers to keep retries out of it.</summary>
    public const int RecentIds = 200_000;

    private readonly List<InteractionLogRecord> _buffer = [];
    private readonly Dictionary<string, long> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();
    private TaskCompletionSource _nextFlush = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _flushing;
    private Task? _inflight;
    private long _next;
    private long _durable = -1;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _durable = await store.GetHeadAsync(cancellationToken);
        _next = _durable + 1;
        await foreach (var record in store.ReadAsync(Math.Max(-1, _durable - RecentIds), cancellationToken))
        {
            // An id logged twice (a retry that reached an earlier activation after the one before it was lost) keeps
            // its first sequence number, the one its actors applied.
            if (record.Interaction.Id is { } id && !_recent.ContainsKey(id))
            {
                Remember(id, record.Seq);
            }
        }
    }

    public async Task<long[]> AppendAsync(InteractionRequest[] interactions)
    {
        var sequences = new long[interactions.Length];
        var appended = false;
        for (var k = 0; k < interactions.Length; k++)
        {
            var x = interactions[k];
            if (_recent.TryGetValue(x.Id, out var seen))
            {
                sequences[k] = seen;
                continue;
            }

            sequences[k] = _next++;
            Remember(x.Id, sequences[k]);
            _buffer.Add(new InteractionLogRecord(sequences[k], new Interaction(x.UserId, x.ItemId, x.Rating, x.Review, x.Timestamp, x.Id)));
            appended = true;
        }

        if (!appended)
        {
            // Only retries: answer once the writes that hold them are durable (the in-flight one, then the buffered).
            var newest = sequences.Max();
            while (_durable < newest && _flushing)
            {
                await (_inflight ?? _nextFlush.Task);
            }

            return sequences;
        }

        var flushed = _nextFlush.Task;
        if (!_flushing)
        {
            _ = FlushLoopAsync();
        }

        await flushed;
        return sequences;
    }

    public Task<long> GetHeadAsync() => Task.FromResult(_durable);

    private void Remember(string id, long sequence)
    {
        _recent[id] = sequence;
        _recentOrder.Enqueue(id);
        if (_recentOrder.Count > RecentIds)
        {
            _recent.Remove(_recentOrder.Dequeue());
        }
    }

    private async Task FlushLoopAsync()
    {
        _flushing = true;
        try
        {
            while (_buffer.Count > 0)
            {
                var batch = _buffer.ToArray();
                var done = _nextFlush;
                _buffer.Clear();
                _nextFlush = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _inflight = done.Task;
                try
                {
                    await store.AppendAsync(batch);
                    _durable = batch[^1].Seq;
                    done.SetResult();
                }
                catch (Exception e)
                {
                    // Not durable: forget the ids so their retries are logged anew.
                    foreach (var record in batch)
                    {
                        _recent.Remove(record.Interaction.Id!);
                    }

                    done.SetException(e);
                }
            }
        }
        finally
        {
            _flushing = false;
            _inflight = null;
        }
    }
}
