using System.Collections.Concurrent;
using Drex.Model.Text;
using Microsoft.Extensions.Hosting;

namespace Drex.Grains.Services;

/// <summary>
/// The per-silo review encoder. Concurrent requests are micro-batched: whatever is waiting when a worker frees up
/// (up to <see cref="MaxBatch"/> texts) runs as one length-sorted ONNX batch, which is several times faster than one
/// text at a time on CPU. Workers and threads as <see cref="ReviewEncoderOptions.Serving"/> says. The workers are
/// dedicated threads: an encoder call blocks for milliseconds, and on a small machine two of them blocking
/// thread-pool threads would starve Orleans and Kestrel until the pool grew.
/// </summary>
public sealed class ReviewEncodingService : IHostedService, IDisposable
{
    public const int MaxBatch = 32;

    private readonly Lazy<ReviewEncoder> _encoder = new(() => ReviewEncoder.LoadEmbedded(ReviewEncoderOptions.Serving));
    private readonly BlockingCollection<(string Text, TaskCompletionSource<EncodedText> Done)> _queue = [];
    private readonly CancellationTokenSource _stopping = new();
    private Thread[] _workers = [];
    private int _disposed;

    /// <summary>The encoder's identity (bundles must be trained with the same one).</summary>
    public string Identity => _encoder.Value.Identity;

    /// <summary>Token vectors of one review, batched with whatever else is waiting.</summary>
    public Task<EncodedText> EncodeAsync(string text)
    {
        var done = new TaskCompletionSource<EncodedText>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_stopping.IsCancellationRequested || !_queue.TryAdd((text, done)))
        {
            done.SetException(new ObjectDisposedException(nameof(ReviewEncodingService)));
        }

        return done.Task;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _encoder.Value;
        _workers = [.. Enumerable.Range(0, ReviewEncoderOptions.ServingWorkers)
            .Select(n => new Thread(Work) { IsBackground = true, Name = $"drex-encoder-{n}" })];
        foreach (var worker in _workers)
        {
            worker.Start();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // The host disposes it twice: as the service and as the hosted service registered with the same instance.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Stop();
        _queue.Dispose();
        _stopping.Dispose();
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }
    }

    private void Stop()
    {
        _stopping.Cancel();
        foreach (var worker in _workers)
        {
            worker.Join(TimeSpan.FromSeconds(10));
        }

        while (_queue.TryTake(out var left))
        {
            left.Done.TrySetException(new ObjectDisposedException(nameof(ReviewEncodingService)));
        }
    }

    private void Work()
    {
        var batch = new List<(string Text, TaskCompletionSource<EncodedText> Done)>(MaxBatch);
        try
        {
            while (true)
            {
                batch.Clear();
                batch.Add(_queue.Take(_stopping.Token));
                while (batch.Count < MaxBatch && _queue.TryTake(out var more))
                {
                    batch.Add(more);
                }

                try
                {
                    var encoded = _encoder.Value.Encode(batch.Select(b => b.Text).ToArray());
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Done.SetResult(encoded[i]);
                    }
                }
                catch (Exception e)
                {
                    batch.ForEach(b => b.Done.TrySetException(e));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: StopAsync fails whatever is still queued.
        }
    }
}
