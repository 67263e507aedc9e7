using Drex.Contracts;
using Drex.Model.Data;
using Drex.Storage;
using Orleans.Concurrency;

namespace Drex.Grains;

/// <summary>
/// The single writer of the interaction log. Reentrant so appends arriving while a write is in flight queue up
/// and go out together in the next write (group commit): one storage round trip serves many interactions, and
/// every caller's task completes only once its records are durable.
/// </summary>
[Reentrant]
public sealed class InteractionLogGrain(IInteractionLogStore store) : Grain, IInteractionLogGrain
{
    private readonly List<InteractionLogRecord> _buffer = [];
    private TaskCompletionSource _nextFlush = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _flushing;
    private long _next;
    private long _durable = -1;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _durable = await store.GetHeadAsync(cancellationToken);
        _next = _durable + 1;
    }

    public async Task<long[]> AppendAsync(InteractionRequest[] interactions)
    {
        var sequences = new long[interactions.Length];
        for (var k = 0; k < interactions.Length; k++)
        {
            var x = interactions[k];
            sequences[k] = _next++;
            _buffer.Add(new InteractionLogRecord(sequences[k], new Interaction(x.UserId, x.ItemId, x.Rating, x.Review, x.Timestamp, x.Id)));
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
                try
                {
                    await store.AppendAsync(batch);
                    _durable = batch[^1].Seq;
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }
        }
        finally
        {
            _flushing = false;
        }
    }
}
