namespace Drex.Grains.Services;

/// <summary>
/// Group commit of calls to one destination: a call goes out at once when none is in flight, and those that arrive
/// meanwhile go out together in the next one. Each caller gets its own result, or the batch's exception. The loop runs
/// off the calling grain's scheduler: it serves every caller on the silo.
/// </summary>
/// <param name="send">Sends a batch; returns one result per item, in order.</param>
internal sealed class GroupCommit<TItem, TResult>(Func<IReadOnlyList<TItem>, Task<TResult[]>> send)
{
    private readonly Lock _lock = new();
    private List<(TItem Item, TaskCompletionSource<TResult> Done)> _waiting = [];
    private bool _sending;

    public Task<TResult> AddAsync(TItem item)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _waiting.Add((item, done));
            if (_sending)
            {
                return done.Task;
            }

            _sending = true;
        }

        _ = Task.Run(SendAsync);
        return done.Task;
    }

    /// <summary>Sends what waits, one batch at a time, until nothing does; never throws (each item gets its outcome).</summary>
    private async Task SendAsync()
    {
        while (true)
        {
            List<(TItem Item, TaskCompletionSource<TResult> Done)> batch;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }

                (batch, _waiting) = (_waiting, []);
            }

            try
            {
                var results = await send([.. batch.Select(b => b.Item)]).ConfigureAwait(false);
                if (results.Length != batch.Count)
                {
                    throw new InvalidOperationException($"A batch of {batch.Count} got {results.Length} results.");
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.SetResult(results[i]);
                }
            }
            catch (Exception e)
            {
                batch.ForEach(b => b.Done.TrySetException(e));
            }
        }
    }
}
