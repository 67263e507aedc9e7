using Drex.Model.Data;

namespace Drex.Storage.Log;

/// <summary>A run of whole log lines, ready to be written as one block.</summary>
/// <param name="Bytes">The lines, each ended by a newline.</param>
/// <param name="Count">How many records the lines hold.</param>
/// <param name="LastSeq">The sequence number of the last record.</param>
internal readonly record struct LogChunk(ReadOnlyMemory<byte> Bytes, int Count, long LastSeq);

/// <summary>The encoding and sequencing rules every interaction log store shares.</summary>
internal static class LogBatch
{
    /// <summary>
    /// The records above <paramref name="head"/>: records at or below it are already durable (a retried append), so
    /// appends are idempotent. Throws when the records do not strictly increase.
    /// </summary>
    public static IReadOnlyList<InteractionLogRecord> Pending(IReadOnlyList<InteractionLogRecord> records, long head)
    {
        ArgumentNullException.ThrowIfNull(records);
        var first = 0;
        var previous = long.MinValue;
        for (var i = 0; i < records.Count; i++)
        {
            var seq = (records[i] ?? throw new ArgumentException($"Record {i} is null.", nameof(records))).Seq;
            if (seq <= previous)
            {
                throw new ArgumentException(
                    $"Sequence numbers must strictly increase: record {i} has {seq} after {previous}.", nameof(records));
            }

            previous = seq;
            if (seq <= head)
            {
                first = i + 1;
            }
        }

        return first == 0 ? records : records.Skip(first).ToArray();
    }

    /// <summary>
    /// Encodes records as log lines and cuts them, on record boundaries, into chunks of at most
    /// <paramref name="maxChunkBytes"/>. Invalid records throw <see cref="ArgumentException"/> before anything is written.
    /// </summary>
    public static List<LogChunk> Encode(IReadOnlyList<InteractionLogRecord> records, int maxChunkBytes)
    {
        var stream = new MemoryStream();
        var ends = new int[records.Count];
        using (var writer = new InteractionLogWriter(stream, leaveOpen: true))
        {
            for (var i = 0; i < records.Count; i++)
            {
                writer.Append(records[i]);
                ends[i] = checked((int)stream.Length);
            }
        }

        var buffer = stream.GetBuffer().AsMemory(0, (int)stream.Length);
        var chunks = new List<LogChunk>();
        int start = 0, firstRecord = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var lineStart = i == 0 ? 0 : ends[i - 1];
            if (ends[i] - lineStart > maxChunkBytes)
            {
                throw new ArgumentException(
                    $"Record {records[i].Seq} is {ends[i] - lineStart} bytes as a log line; the limit is {maxChunkBytes}.", nameof(records));
            }

            if (ends[i] - start > maxChunkBytes)
            {
                chunks.Add(new LogChunk(buffer[start..lineStart], i - firstRecord, records[i - 1].Seq));
                start = lineStart;
                firstRecord = i;
            }
        }

        if (records.Count > firstRecord)
        {
            chunks.Add(new LogChunk(buffer[start..], records.Count - firstRecord, records[^1].Seq));
        }

        return chunks;
    }

    /// <summary>Parses whole log lines (the bytes end with a newline, or are empty).</summary>
    public static IEnumerable<InteractionLogRecord> Parse(ReadOnlyMemory<byte> lines, string source)
    {
        var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(lines, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(lines.ToArray(), writable: false);
        return new InteractionLogReader(stream, source).ReadAll();
    }

    /// <summary>
    /// Finds the last record in the final bytes of a log. <paramref name="reachesStart"/> says whether
    /// <paramref name="tail"/> starts at the log's first byte; when it does not and no whole last line is in view,
    /// the answer is <see cref="TailScan.Incomplete"/>.
    /// </summary>
    public static TailScan ScanTail(ReadOnlyMemory<byte> tail, bool reachesStart, string source)
    {
        var span = tail.Span;
        var lastNewline = span.LastIndexOf((byte)'\n');
        var committed = lastNewline + 1;
        var end = lastNewline;
        while (end >= 0)
        {
            var start = span[..end].LastIndexOf((byte)'\n') + 1;
            if (start == 0 && !reachesStart)
            {
                return TailScan.Incomplete;
            }

            InteractionLogRecord? last = null;
            foreach (var record in Parse(tail[start..(end + 1)], source))
            {
                last = record;
            }

            if (last is not null)
            {
                return new TailScan(false, last.Seq, committed);
            }

            end = start - 1;
        }

        return reachesStart ? new TailScan(false, null, committed) : TailScan.Incomplete;
    }
}

/// <summary>What the end of a log holds.</summary>
/// <param name="NeedMore">The bytes in view do not hold a whole last line: look further back.</param>
/// <param name="LastSeq">The last record's sequence number; null when there is none.</param>
/// <param name="CommittedBytes">Bytes of the view up to and including its last newline; the rest is a torn append.</param>
internal readonly record struct TailScan(bool NeedMore, long? LastSeq, int CommittedBytes)
{
    public static TailScan Incomplete => new(true, null, 0);
}
