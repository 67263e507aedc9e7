using Drex.Contracts;

namespace Drex.Grains.Services;

/// <summary>
/// A silo's way into the interaction log: appends from every ingest call on the silo that arrive while one is on its
/// way to the log grain go together in the next call (one message per batch instead of one per interaction; the log
/// grain then group-commits the batches of all silos). Each caller gets its own sequence numbers once its records are
/// durable.
/// </summary>
public sealed class LogAppender(GrainReferences grains)
{
    private readonly Lock _lock = new();
    private List<(InteractionRequest[] Requests, TaskCompletionSource<long[]> Done)> _waiting = [];
    private bool _sending;

    /// <summary>Appends durably; the sequence numbers are in request order (a recently logged id gets its first one).</summary>
    public Task<long[]> AppendAsync(InteractionRequest[] requests)
    {
        var done = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_lock)
        {
            _waiting.Add((requests, done));
            start = !_sending;
            _sending = true;
        }

        if (start)
        {
            // Off the calling grain's scheduler: the loop serves the whole silo.
            _ = Task.Run(SendAsync);
        }

        return done.Task;
    }

    private async Task SendAsync()
    {
        while (true)
        {
            List<(InteractionRequest[] Requests, TaskCompletionSource<long[]> Done)> batch;
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
                var sequences = await grains.Get<IInteractionLogGrain>(DrexKeys.Log).AppendAsync([.. batch.SelectMany(b => b.Requests)]);
                var offset = 0;
                foreach (var (requests, done) in batch)
                {
                    done.SetResult(sequences[offset..(offset + requests.Length)]);
                    offset += requests.Length;
                }
            }
            catch (Exception e)
            {
                batch.ForEach(b => b.Done.TrySetException(e));
            }
        }
    }
}
