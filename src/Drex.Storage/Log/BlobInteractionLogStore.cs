using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Drex.Model.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drex.Storage.Log;

/// <summary>
/// The interaction log in Azure Blob Storage: append blobs <c>segment-00000000.jsonl</c>, <c>segment-00000001.jsonl</c>,
/// ... holding lines in the <see cref="InteractionLog"/> format. Each <see cref="AppendAsync"/> is one append block
/// (a batch over 4 MiB is split on record boundaries), written only at the expected append position, so a retry that
/// had already landed is recognised and a second writer is detected instead of interleaved. A segment is closed after
/// <see cref="BlobInteractionLogOptions.MaxBlocksPerSegment"/> blocks or <see cref="BlobInteractionLogOptions.MaxSegmentBytes"/>,
/// and a new one starts; each segment's metadata holds a lower bound of its sequence numbers so reads can skip
/// segments. A torn final line (never produced by this writer, whose blocks are atomic) is ignored by readers and
/// closes its segment. Records at or below the head are skipped, so retried appends are idempotent.
/// </summary>
public sealed partial class BlobInteractionLogStore : IInteractionLogStore
{
    private const string SegmentPrefix = "segment-";
    private const string SegmentSuffix = ".jsonl";
    private const string FirstSeqKey = "firstseq";
    private const int TailWindow = 64 * 1024;
    private const int ReadChunkBytes = 4 * 1024 * 1024;
    private const int MaxAttempts = 3;

    private readonly BlobContainerClient _container;
    private readonly BlobInteractionLogOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Writer? _writer;
    private HeadCache? _headCache;
    private bool _containerReady;

    /// <summary>Creates a store over a container (created on the first append).</summary>
    public BlobInteractionLogStore(
        BlobContainerClient container, BlobInteractionLogOptions? options = null, ILogger<BlobInteractionLogStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        _options = options ?? new BlobInteractionLogOptions();
        _options.Validate();
        _container = container;
        _logger = logger ?? NullLogger<BlobInteractionLogStore>.Instance;
    }

    /// <summary>The blob name of segment <paramref name="index"/>.</summary>
    public static string SegmentName(int index) => $"{SegmentPrefix}{index:D8}{SegmentSuffix}";

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<InteractionLogRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var writer = _writer ??= await LoadWriterAsync(cancellationToken).ConfigureAwait(false);
                var pending = LogBatch.Pending(records, writer.Head);
                if (pending.Count == 0)
                {
                    return;
                }

                try
                {
                    foreach (var chunk in LogBatch.Encode(pending, _options.MaxBlockBytes))
                    {
                        await AppendChunkAsync(writer, chunk, cancellationToken).ConfigureAwait(false);
                    }

                    return;
                }
                catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
                {
                    // The log moved under this writer (a torn tail appeared, or another writer appended): reload
                    // from storage; records that are durable by now are skipped on the next attempt.
                    LogConflict(_logger, _container.Name, e.ErrorCode, attempt);
                    _writer = null;
                }
                catch
                {
                    _writer = null;
                    throw;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<InteractionLogRecord> ReadAsync(
        long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var segments = await ListSegmentsAsync(cancellationToken).ConfigureAwait(false);

        // Segment i holds sequence numbers in [first(i), first(i+1)): start at the last one that can hold afterSequence + 1.
        var start = 0;
        for (var i = segments.Count - 1; i >= 0; i--)
        {
            if (segments[i].FirstSeq is { } first && first - 1 <= afterSequence)
            {
                start = i;
                break;
            }
        }

        for (var i = start; i < segments.Count; i++)
        {
            await foreach (var record in ReadSegmentAsync(segments[i], cancellationToken).ConfigureAwait(false))
            {
                if (record.Seq > afterSequence)
                {
                    yield return record;
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<long> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        var segments = await ListSegmentsAsync(cancellationToken).ConfigureAwait(false);
        var newest = segments.Count == 0 ? null : segments[^1];
        var key = new HeadCache(newest?.Name, newest?.Length ?? 0, 0);
        if (_headCache is { } cached && cached with { Head = 0 } == key)
        {
            return cached.Head;
        }

        var (head, _) = await FindHeadAsync(segments, cancellationToken).ConfigureAwait(false);
        _headCache = key with { Head = head };
        return head;
    }

    private async Task AppendChunkAsync(Writer writer, LogChunk chunk, CancellationToken cancellationToken)
    {
        var length = chunk.Bytes.Length;
        if (writer.Client is null || writer.Torn || writer.Blocks >= _options.MaxBlocksPerSegment
            || (writer.Length > 0 && writer.Length + length > _options.MaxSegmentBytes))
        {
            await RollOverAsync(writer, cancellationToken).ConfigureAwait(false);
        }

        var client = writer.Client!;
        try
        {
            using var content = AsStream(chunk.Bytes);
            var options = new AppendBlobAppendBlockOptions
            {
                Conditions = new AppendBlobRequestConditions { IfAppendPositionEqual = writer.Length },
            };
            await client.AppendBlockAsync(content, options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.AppendPositionConditionNotMet.ToString())
        {
            // The SDK retries a request that timed out; when the first try had landed, the retry finds the append
            // position moved by exactly this block. Anything else is a foreign write.
            if (!await LandedAsync(client, writer.Length, chunk.Bytes, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }

        writer.Length += length;
        writer.Blocks++;
        writer.Head = chunk.LastSeq;
        _headCache = new HeadCache(writer.Name, writer.Length, writer.Head);
    }

    private async Task RollOverAsync(Writer writer, CancellationToken cancellationToken)
    {
        var index = writer.Client is null ? 0 : writer.Index + 1;
        var name = SegmentName(index);
        var client = _container.GetAppendBlobClient(name);
        var firstSeq = (writer.Head + 1).ToString(CultureInfo.InvariantCulture);
        try
        {
            await client.CreateAsync(
                new AppendBlobCreateOptions
                {
                    Metadata = new Dictionary<string, string> { [FirstSeqKey] = firstSeq },
                    Conditions = new AppendBlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobAlreadyExists.ToString())
        {
            // A retried create whose first try landed leaves this very segment, empty; anything else is another writer.
            var properties = (await client.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            if (properties.ContentLength != 0
                || !properties.Metadata.TryGetValue(FirstSeqKey, out var existing) || existing != firstSeq)
            {
                throw;
            }
        }

        LogRollOver(_logger, _container.Name, name, writer.Head + 1);
        (writer.Index, writer.Name, writer.Client, writer.Length, writer.Blocks, writer.Torn) = (index, name, client, 0, 0, false);
    }

    private async Task<bool> LandedAsync(AppendBlobClient client, long position, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var properties = (await client.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        if (properties.ContentLength != position + bytes.Length)
        {
            return false;
        }

        var written = await DownloadRangeAsync(client, position, bytes.Length, cancellationToken).ConfigureAwait(false);
        return written.Span.SequenceEqual(bytes.Span);
    }

    private async Task<Writer> LoadWriterAsync(CancellationToken cancellationToken)
    {
        if (!_containerReady)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _containerReady = true;
        }

        var segments = await ListSegmentsAsync(cancellationToken).ConfigureAwait(false);
        var (head, newestCommitted) = await FindHeadAsync(segments, cancellationToken).ConfigureAwait(false);
        var writer = new Writer { Head = head };
        if (segments.Count > 0)
        {
            var newest = segments[^1];
            var client = _container.GetAppendBlobClient(newest.Name);
            var properties = (await client.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            (writer.Index, writer.Name, writer.Client) = (newest.Index, newest.Name, client);
            (writer.Length, writer.Blocks) = (newest.Length, properties.BlobCommittedBlockCount);
            writer.Torn = newestCommitted < newest.Length;
            if (writer.Torn)
            {
                LogTornTail(_logger, _container.Name, newest.Name, newest.Length - newestCommitted);
            }
        }

        return writer;
    }

    /// <summary>The newest record's sequence number, and how many bytes of the newest segment end in a newline.</summary>
    private async Task<(long Head, long NewestCommitted)> FindHeadAsync(IReadOnlyList<SegmentInfo> segments, CancellationToken cancellationToken)
    {
        long? newestCommitted = null;
        for (var i = segments.Count - 1; i >= 0; i--)
        {
            var segment = segments[i];
            if (segment.Length == 0)
            {
                newestCommitted ??= 0;
                continue;
            }

            var client = _container.GetBlobClient(segment.Name);
            for (long window = TailWindow; ; window *= 2)
            {
                var start = Math.Max(0, segment.Length - window);
                var tail = await DownloadRangeAsync(client, start, segment.Length - start, cancellationToken).ConfigureAwait(false);
                var scan = LogBatch.ScanTail(tail, reachesStart: start == 0, segment.Name);
                if (scan.NeedMore)
                {
                    continue;
                }

                newestCommitted ??= start + scan.CommittedBytes;
                if (scan.LastSeq is { } seq)
                {
                    return (seq, newestCommitted.Value);
                }

                break;
            }
        }

        return (-1, newestCommitted ?? 0);
    }

    private async IAsyncEnumerable<InteractionLogRecord> ReadSegmentAsync(
        SegmentInfo segment, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = _container.GetBlobClient(segment.Name);
        ReadOnlyMemory<byte> carry = default;
        for (long offset = 0; offset < segment.Length;)
        {
            var data = await DownloadRangeAsync(client, offset, Math.Min(ReadChunkBytes, segment.Length - offset), cancellationToken)
                .ConfigureAwait(false);
            var bufferStart = offset - carry.Length;
            var buffer = carry.IsEmpty ? data : Concat(carry, data);
            offset += data.Length;
            var whole = buffer.Span.LastIndexOf((byte)'\n') + 1;
            foreach (var record in LogBatch.Parse(buffer[..whole], $"{segment.Name} from byte {bufferStart}"))
            {
                yield return record;
            }

            carry = buffer[whole..];
        }

        // Bytes left after the last newline are a torn append: not part of the log, as the format says.
    }

    private async Task<IReadOnlyList<SegmentInfo>> ListSegmentsAsync(CancellationToken cancellationToken)
    {
        var segments = new List<SegmentInfo>();
        try
        {
            var options = new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = SegmentPrefix };
            await foreach (var blob in _container.GetBlobsAsync(options, cancellationToken).ConfigureAwait(false))
            {
                if (TryParseIndex(blob.Name, out var index))
                {
                    long? first = blob.Metadata is not null && blob.Metadata.TryGetValue(FirstSeqKey, out var value)
                        && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
                    segments.Add(new SegmentInfo(index, blob.Name, blob.Properties.ContentLength ?? 0, first));
                }
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound.ToString())
        {
            return [];
        }

        segments.Sort((a, b) => a.Index.CompareTo(b.Index));
        return segments;
    }

    private static bool TryParseIndex(string name, out int index)
    {
        index = 0;
        return name.StartsWith(SegmentPrefix, StringComparison.Ordinal) && name.EndsWith(SegmentSuffix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(SegmentPrefix.Length, name.Length - SegmentPrefix.Length - SegmentSuffix.Length),
                NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    private static async Task<ReadOnlyMemory<byte>> DownloadRangeAsync(
        BlobBaseClient client, long offset, long count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var options = new BlobDownloadOptions { Range = new HttpRange(offset, count) };
        var result = await client.DownloadContentAsync(options, cancellationToken).ConfigureAwait(false);
        return result.Value.Content.ToMemory();
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    private static ReadOnlyMemory<byte> Concat(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second)
    {
        var joined = new byte[first.Length + second.Length];
        first.CopyTo(joined);
        second.CopyTo(joined.AsMemory(first.Length));
        return joined;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Interaction log {Container}: started segment {Segment} at sequence {FirstSeq}.")]
    private static partial void LogRollOver(ILogger logger, string container, string segment, long firstSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interaction log {Container}: segment {Segment} ends with a torn append of {Bytes} bytes; it is ignored and the segment is closed.")]
    private static partial void LogTornTail(ILogger logger, string container, string segment, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interaction log {Container} changed under its writer ({ErrorCode}, attempt {Attempt}); reloading.")]
    private static partial void LogConflict(ILogger logger, string container, string? errorCode, int attempt);

    private sealed record SegmentInfo(int Index, string Name, long Length, long? FirstSeq);

    private sealed record HeadCache(string? Segment, long Length, long Head);

    /// <summary>The appending side's view of the newest segment; touched only under the gate.</summary>
    private sealed class Writer
    {
        public int Index { get; set; }

        public string? Name { get; set; }

        public AppendBlobClient? Client { get; set; }

        public long Length { get; set; }

        public int Blocks { get; set; }

        public bool Torn { get; set; }

        public long Head { get; set; } = -1;
    }
}
