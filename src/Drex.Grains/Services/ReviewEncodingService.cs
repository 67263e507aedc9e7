using System.Threading.Channels;
using Drex.Model.Text;
using Microsoft.Extensions.Hosting;

namespace Drex.Grains.Services;

/// <summary>
/// The per-silo review encoder. Concurrent requests are micro-batched: whatever is waiting when a worker frees up
/// (up to <see cref="MaxBatch"/> texts) runs as one length-sorted ONNX batch, which is several times faster than one
/// text at a time on CPU. Workers and threads as <see cref="ReviewEncoderOptions.Serving"/> says.
/// </summary>
public sealed class ReviewEncodingService : BackgroundService
{
    public const int MaxBatch = 32;

    private readonly Lazy<ReviewEncoder> _encoder = new(() => ReviewEncoder.LoadEmbedded(ReviewEncoderOptions.Serving));
    private readonly Channel<(string Text, TaskCompletionSource<EncodedText> Done)> _queue =
        Channel.CreateUnbounded<(string, TaskCompletionSource<EncodedText>)>();

    /// <summary>The encoder's identity (bundles must be trained with the same one).</summary>
    public string Identity => _encoder.Value.Identity;

    /// <summary>Token vectors of one review, batched with whatever else is waiting.</summary>
    public Task<EncodedText> EncodeAsync(string text)
    {
        var done = new TaskCompletionSource<EncodedText>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((text, done)))
        {
            done.SetException(new ObjectDisposedException(nameof(ReviewEncodingService)));
        }

        return done.Task;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = _encoder.Value;
        return Task.WhenAll(Enumerable.Range(0, ReviewEncoderOptions.ServingWorkers).Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken)));
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(string Text, TaskCompletionSource<EncodedText> Done)>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            if (batch.Count == 0)
            {
                continue; // another worker took them
            }

            try
            {
                var encoded = _encoder.Value.Encode(batch.Select(b => b.Text).ToArray(), cancellationToken: stoppingToken);
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

    public override void Dispose()
    {
        _queue.Writer.TryComplete();
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }

        base.Dispose();
    }
}
