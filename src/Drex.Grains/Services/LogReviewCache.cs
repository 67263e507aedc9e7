using Drex.Storage;

namespace Drex.Grains.Services;

/// <summary>
/// Reads review texts back from the durable interaction log by sequence number, for actors that rebase onto a new
/// model (their state keeps only the sequence numbers of the interactions to replay). Every actor that rebases onto
/// a model asks for records after that model's watermark, so each silo reads that stretch of the log once and keeps
/// it; records at or below the newest watermark asked for are dropped.
/// </summary>
public sealed class LogReviewCache(IInteractionLogStore log)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<long, string> _reviews = [];

    // Every record with _from < Seq <= _to has been read (its review, if any, is in _reviews). Empty when _to <= _from.
    private long _from;
    private long _to;

    /// <summary>
    /// The reviews of the given records (each after <paramref name="watermark"/>); throws when the log lacks one, since
    /// replaying without it would silently give the actor a different state than the trainer's.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, string>> GetAsync(IReadOnlyCollection<long> sequences, long watermark, CancellationToken cancellationToken = default)
    {
        if (sequences.Count == 0)
        {
            return new Dictionary<long, string>();
        }

        var (min, max) = (sequences.Min(), sequences.Max());
        if (min <= watermark)
        {
            throw new ArgumentOutOfRangeException(nameof(sequences), $"Sequence {min} is at or below the watermark {watermark}.");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (watermark > _from)
            {
                foreach (var seq in _reviews.Keys.Where(s => s <= watermark).ToArray())
                {
                    _reviews.Remove(seq);
                }

                _from = watermark;
                _to = Math.Max(_to, _from);
            }

            if (_to == _from)
            {
                (_from, _to) = (min - 1, min - 1);
            }

            if (min - 1 < _from)
            {
                await ReadAsync(min - 1, _from, cancellationToken).ConfigureAwait(false);
                _from = min - 1;
            }

            if (max > _to)
            {
                await ReadAsync(_to, max, cancellationToken).ConfigureAwait(false);
                _to = max;
            }

            var found = new Dictionary<long, string>(sequences.Count);
            foreach (var seq in sequences)
            {
                found[seq] = _reviews.TryGetValue(seq, out var review)
                    ? review
                    : throw new InvalidDataException($"The interaction log holds no review for sequence {seq}.");
            }

            return found;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ReadAsync(long after, long upTo, CancellationToken cancellationToken)
    {
        await foreach (var record in log.ReadAsync(after, cancellationToken).ConfigureAwait(false))
        {
            if (record.Seq > upTo)
            {
                break;
            }

            if (record.Interaction.HasReview)
            {
                _reviews[record.Seq] = record.Interaction.Review!;
            }
        }
    }
}
