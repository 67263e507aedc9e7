using Drex.Model.Data;

namespace Drex.Storage;

/// <summary>
/// The durable, append-only interaction log (the trainer's input). Records carry strictly increasing sequence
/// numbers assigned by the single writer (the log grain); an append is durable when its task completes.
/// </summary>
public interface IInteractionLogStore
{
    /// <summary>Appends records (in sequence order) durably, as one write where the store allows.</summary>
    Task AppendAsync(IReadOnlyList<InteractionLogRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Records with a sequence number above <paramref name="afterSequence"/>, in order.</summary>
    IAsyncEnumerable<InteractionLogRecord> ReadAsync(long afterSequence, CancellationToken cancellationToken = default);

    /// <summary>The newest durable sequence number, or -1 when the log is empty.</summary>
    Task<long> GetHeadAsync(CancellationToken cancellationToken = default);
}
