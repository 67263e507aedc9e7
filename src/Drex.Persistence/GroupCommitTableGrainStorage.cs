using System.Diagnostics.Metrics;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace Drex.Persistence;

/// <summary>
/// Orleans grain storage on Azure Table storage (or Azurite) that group-commits across grains: grains are spread
/// over a fixed number of table partitions, and the writes to one partition that wait while its previous request
/// is in flight go out together as one entity group transaction (up to 100 entities). Every write keeps Orleans'
/// contract: it completes only when its entity is durable, with optimistic concurrency on the entity's ETag (a stale
/// ETag fails that write alone with <see cref="InconsistentStateException"/>, never its batch-mates). Reads are
/// point reads (partition and row key), the one lookup the service indexes.
/// </summary>
/// <remarks>
/// Why: each grain write of the stock provider is one request, and an interaction writes two grains. Azurite
/// serves ~500-1,000 single-entity requests per second on one core but ~4,000-6,000 entities per second in
/// transactions of 10-50; Azure Table storage also bills and throttles per request. The batch size follows the
/// load: one write alone goes out at once as a single-entity request, and batches grow only while requests queue.
/// </remarks>
public sealed partial class GroupCommitTableGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Serialised state bytes at most per grain: 15 binary properties of 64 KiB (an entity holds 1 MiB).</summary>
    public const int MaxStateBytes = MaxChunks * ChunkBytes;

    /// <summary>Entities per entity group transaction at most (the service's limit).</summary>
    public const int MaxBatchEntities = 100;

    private const int ChunkBytes = 64 * 1024;
    private const int MaxChunks = 15;
    private const string ChunksProperty = "Chunks";
    private const string MetaPartition = "meta";

    private static readonly Meter Meter = new("Drex.Persistence");
    private static readonly Histogram<int> WriteEntities = Meter.CreateHistogram<int>(
        "drex.storage.write.entities", "{entity}", "Grain-state entities written per table request.");

    private readonly string _name;
    private readonly TableClient _table;
    private readonly TableGrainStorageOptions _options;
    private readonly string _serviceId;
    private readonly IGrainStorageSerializer _serializer;
    private readonly ILogger _logger;
    // Set when the storage starts: the table's partition count is recorded in it.
    private string[] _partitionKeys = [];
    private PartitionWriter[] _writers = [];

    /// <summary>Creates the storage; the table is created (and checked) when the silo starts.</summary>
    public GroupCommitTableGrainStorage(
        string name, TableServiceClient service, TableGrainStorageOptions options, string serviceId,
        IGrainStorageSerializer serializer, ILogger<GroupCommitTableGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        _name = name;
        _options = options.Validate();
        _table = service.GetTableClient(options.TableName);
        _serviceId = serviceId;
        _serializer = serializer;
        _logger = logger;
    }

    /// <summary>The table partitions the grains are spread over (0 until the storage has started).</summary>
    public int Partitions => _partitionKeys.Length;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(
        OptionFormattingUtilities.Name<GroupCommitTableGrainStorage>(_name), ServiceLifecycleStage.ApplicationServices, InitializeAsync);

    /// <summary>
    /// Creates the table when missing and records the partition count (the configured one, or
    /// <see cref="TableGrainStorageOptions.DefaultPartitions"/>), or takes the one the table was written with; a
    /// configured count that differs from it is refused (it would hash grains to other partitions and lose sight of
    /// their states).
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        var configured = _options.Partitions;
        var recorded = await RecordedPartitionsAsync(cancellationToken).ConfigureAwait(false);
        if (recorded is null)
        {
            try
            {
                var partitions = configured ?? TableGrainStorageOptions.DefaultPartitions;
                await _table.AddEntityAsync(new TableEntity(MetaPartition, EscapeKey(_serviceId)) { ["Partitions"] = partitions }, cancellationToken).ConfigureAwait(false);
                Spread(partitions);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Another silo recorded it first: take or check its count.
                recorded = await RecordedPartitionsAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (recorded is not ({ } count and >= 1 and <= TableGrainStorageOptions.MaxPartitions))
        {
            throw new InvalidDataException($"Grain storage '{_name}': table '{_options.TableName}' records an invalid partition count for service '{_serviceId}'.");
        }

        if (configured is { } wanted && wanted != count)
        {
            throw new InvalidOperationException(
                $"Grain storage '{_name}': table '{_options.TableName}' holds service '{_serviceId}' in {count} partitions, but Partitions is {wanted}. " +
                "Set Partitions to the recorded count, or leave it unset (a different count cannot find the existing states).");
        }

        Spread(count);
    }

    /// <summary>
    /// The partition count recorded for this service: null when the table has no record of it yet, 0 when the record
    /// holds no count (which the caller refuses as invalid, with any other count out of range).
    /// </summary>
    private async Task<int?> RecordedPartitionsAsync(CancellationToken cancellationToken)
    {
        var meta = await _table.GetEntityIfExistsAsync<TableEntity>(MetaPartition, EscapeKey(_serviceId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return meta.HasValue ? meta.Value!.GetInt32("Partitions") ?? 0 : null;
    }

    private void Spread(int partitions)
    {
        _partitionKeys = [.. Enumerable.Range(0, partitions).Select(n => $"{EscapeKey(_serviceId)}-{n:x3}")];
        _writers = [.. Enumerable.Range(0, partitions).Select(_ => new PartitionWriter(this))];
    }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (partition, row, _) = KeyOf(stateName, grainId);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(partition, row).ConfigureAwait(false);
        if (!response.HasValue || response.Value is not { } entity)
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = _serializer.Deserialize<T>(ReadData(entity, stateName, grainId));
        grainState.ETag = entity.ETag.ToString();
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (partition, row, index) = KeyOf(stateName, grainId);
        var data = _serializer.Serialize(grainState.State).ToMemory();
        if (data.Length > MaxStateBytes)
        {
            throw new InvalidOperationException(
                $"Grain storage '{_name}': the state of {grainId} is {data.Length:N0} bytes; an Azure Table entity holds at most {MaxStateBytes:N0}.");
        }

        var entity = new TableEntity(partition, row) { [ChunksProperty] = (data.Length + ChunkBytes - 1) / ChunkBytes };
        for (var (offset, chunk) = (0, 0); offset < data.Length; offset += ChunkBytes, chunk++)
        {
            entity[$"Data{chunk}"] = Chunk(data, offset);
        }

        var write = grainState.ETag is null
            ? new PendingOperation(grainId, TableTransactionActionType.Add, entity, default, data.Length)
            : new PendingOperation(grainId, TableTransactionActionType.UpdateReplace, entity, new ETag(grainState.ETag), data.Length);
        var etag = await _writers[index].Submit(write).ConfigureAwait(false);
        grainState.ETag = etag.ToString();
        grainState.RecordExists = true;
    }

    /// <summary>
    /// The chunk of <paramref name="data"/> at <paramref name="offset"/> as an array: a state that fits one chunk is its
    /// serializer's array as is (most do), not a second copy of it.
    /// </summary>
    private static byte[] Chunk(ReadOnlyMemory<byte> data, int offset) =>
        offset == 0 && data.Length <= ChunkBytes && MemoryMarshal.TryGetArray(data, out var whole) && whole is { Offset: 0, Array: { } array }
            && array.Length == data.Length
            ? array
            : data.Slice(offset, Math.Min(ChunkBytes, data.Length - offset)).ToArray();

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState.ETag is not null)
        {
            var (partition, row, index) = KeyOf(stateName, grainId);
            var delete = new PendingOperation(grainId, TableTransactionActionType.Delete, new TableEntity(partition, row), new ETag(grainState.ETag), 0);
            await _writers[index].Submit(delete).ConfigureAwait(false);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>The entity's keys: partition "{service}-{n}" by a stable hash of the row key "{state}.{grain id}".</summary>
    internal (string Partition, string Row, int Index) KeyOf(string stateName, GrainId grainId)
    {
        if (_partitionKeys.Length == 0)
        {
            throw new InvalidOperationException($"Grain storage '{_name}' has not started (its table's partition count is read when the silo starts).");
        }

        var row = EscapeKey($"{stateName}.{grainId}");
        var index = (int)(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(row)) % (uint)_partitionKeys.Length);
        return (_partitionKeys[index], row, index);
    }

    /// <summary>
    /// A table key for any text: '%', the characters keys may not hold ('/', '\', '#', '?') and control characters
    /// become %XX escapes of their UTF-8 bytes, so distinct texts stay distinct keys.
    /// </summary>
    internal static string EscapeKey(string text)
    {
        var builder = new StringBuilder(text.Length);
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '%' or '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                foreach (var b in bytes[..Encoding.UTF8.GetBytes(text.AsSpan(i, 1), bytes)])
                {
                    builder.Append('%').Append(b.ToString("X2"));
                }
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private BinaryData ReadData(TableEntity entity, string stateName, GrainId grainId)
    {
        var chunks = entity.GetInt32(ChunksProperty)
            ?? throw new InvalidOperationException($"Grain storage '{_name}': the {stateName} entity of {grainId} has no '{ChunksProperty}' property.");
        var parts = new byte[chunks][];
        for (var i = 0; i < chunks; i++)
        {
            parts[i] = entity.GetBinary($"Data{i}")
                ?? throw new InvalidOperationException($"Grain storage '{_name}': the {stateName} entity of {grainId} lacks chunk {i} of {chunks}.");
        }

        if (parts.Length == 1)
        {
            return BinaryData.FromBytes(parts[0]);
        }

        var whole = new byte[parts.Sum(p => p.Length)];
        for (var (i, offset) = (0, 0); i < parts.Length; offset += parts[i].Length, i++)
        {
            parts[i].CopyTo(whole, offset);
        }

        return BinaryData.FromBytes(whole);
    }

    private static Exception Explain(RequestFailedException e, PendingOperation operation) => e.Status switch
    {
        409 or 412 or 404 => new InconsistentStateException(
            $"The stored state of {operation.GrainId} changed since it was read (table status {e.Status}, {e.ErrorCode}): another activation wrote it.",
            storedEtag: "unknown", currentEtag: operation.ETag.ToString(), e),
        _ => e,
    };

    /// <summary>One grain write or delete waiting for its partition's next request.</summary>
    private sealed class PendingOperation(GrainId grainId, TableTransactionActionType kind, TableEntity entity, ETag etag, int bytes)
    {
        private readonly TaskCompletionSource<ETag> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public GrainId GrainId => grainId;
        public TableTransactionActionType Kind => kind;
        public TableEntity Entity => entity;
        public ETag ETag => etag;
        public int Bytes => bytes;
        public Task<ETag> Task => _done.Task;
        public TableTransactionAction Action => new(kind, entity, etag);

        public void Complete(ETag? stored) => _done.TrySetResult(stored ?? default);

        public void Fail(Exception e) => _done.TrySetException(e);
    }

    /// <summary>
    /// A partition's writes, group-committed: at most one request in flight; the writes that arrive meanwhile wait
    /// and go out together in the next one, as one entity group transaction (one entity at most once, at most 100
    /// entities and the byte budget). A lone write goes out as a single-entity request.
    /// </summary>
    private sealed class PartitionWriter(GroupCommitTableGrainStorage storage)
    {
        private readonly Lock _lock = new();
        private readonly List<PendingOperation> _waiting = [];
        private bool _draining;

        public Task<ETag> Submit(PendingOperation operation)
        {
            lock (_lock)
            {
                _waiting.Add(operation);
                if (_draining)
                {
                    return operation.Task;
                }

                _draining = true;
            }

            _ = Task.Run(DrainAsync);
            return operation.Task;
        }

        private async Task DrainAsync()
        {
            while (true)
            {
                List<PendingOperation> batch;
                lock (_lock)
                {
                    if (_waiting.Count == 0)
                    {
                        _draining = false;
                        return;
                    }

                    batch = Take(_waiting);
                }

                await SendAsync(batch).ConfigureAwait(false);
            }
        }

        /// <summary>Moves the next request's writes out of <paramref name="waiting"/> (at least one).</summary>
        private List<PendingOperation> Take(List<PendingOperation> waiting)
        {
            var batch = new List<PendingOperation>();
            var rows = new HashSet<string>(StringComparer.Ordinal);
            var bytes = 0;
            for (var i = 0; i < waiting.Count && batch.Count < MaxBatchEntities; i++)
            {
                var next = waiting[i];
                if ((batch.Count > 0 && bytes + next.Bytes > storage._options.MaxBatchBytes) || !rows.Add(next.Entity.RowKey))
                {
                    continue;
                }

                batch.Add(next);
                bytes += next.Bytes;
                waiting.RemoveAt(i--);
            }

            return batch;
        }

        /// <summary>Sends one request and completes or fails every write in it; never throws.</summary>
        private async Task SendAsync(List<PendingOperation> batch)
        {
            try
            {
                WriteEntities.Record(batch.Count);
                while (batch.Count > 1)
                {
                    try
                    {
                        var response = await storage._table.SubmitTransactionAsync(batch.Select(o => o.Action)).ConfigureAwait(false);
                        for (var i = 0; i < batch.Count; i++)
                        {
                            batch[i].Complete(response.Value[i].Headers.ETag);
                        }

                        return;
                    }
                    catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex is int failed && failed < batch.Count)
                    {
                        // The transaction wrote nothing: fail the one write it names, send the others again.
                        batch[failed].Fail(Explain(e, batch[failed]));
                        batch.RemoveAt(failed);
                    }
                }

                if (batch.Count == 1)
                {
                    await SendOneAsync(batch[0]).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                LogRequestFailed(storage._logger, e, storage._name, "write", batch.Count);
                foreach (var operation in batch)
                {
                    operation.Fail(e is RequestFailedException failed ? Explain(failed, operation) : e);
                }
            }
        }

        private async Task SendOneAsync(PendingOperation operation)
        {
            var table = storage._table;
            var entity = operation.Entity;
            try
            {
                var response = operation.Kind switch
                {
                    TableTransactionActionType.Add => await table.AddEntityAsync(entity).ConfigureAwait(false),
                    TableTransactionActionType.UpdateReplace => await table.UpdateEntityAsync(entity, operation.ETag, TableUpdateMode.Replace).ConfigureAwait(false),
                    _ => await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, operation.ETag).ConfigureAwait(false),
                };
                operation.Complete(response.Headers.ETag);
            }
            catch (RequestFailedException e)
            {
                operation.Fail(Explain(e, operation));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Name}: a table {Kind} request for {Count} grain states failed.")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception, string name, string kind, int count);
}
