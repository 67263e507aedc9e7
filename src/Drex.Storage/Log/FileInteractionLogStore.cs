using Drex.Model.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drex.Storage.Log;

/// <summary>
/// The interaction log as one local <c>.jsonl</c> file (a one-silo laptop run). Each append is one write followed by
/// an fsync (<see cref="FileStream.Flush(bool)"/>), so it is durable when its task completes. A torn final line left
/// by a crash is cut off before the next append. Records at or below the head are skipped, so retries are idempotent.
/// A read after a sequence bisects the file to start near it.
/// One writer per file: the instance that appends keeps the file open.
/// </summary>
public sealed partial class FileInteractionLogStore : IInteractionLogStore, IDisposable
{
    private const int TailWindow = 64 * 1024;

    /// <summary>Below this many bytes a read scans forward instead of bisecting further.</summary>
    private const int BisectSpan = 64 * 1024;

    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FileStream? _file;
    private long _length;
    private long _head = -1;

    /// <summary>Creates a store over a log file (created, with its folder, on the first append).</summary>
    public FileInteractionLogStore(string path, ILogger<FileInteractionLogStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = System.IO.Path.GetFullPath(path);
        _logger = logger ?? NullLogger<FileInteractionLogStore>.Instance;
    }

    /// <summary>The log file's full path.</summary>
    public string FilePath { get; }

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<InteractionLogRecord> records, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var file = _file ?? OpenForAppend();
            var pending = LogBatch.Pending(records, _head);
            if (pending.Count == 0)
            {
                return;
            }

            var chunk = LogBatch.Encode(pending, int.MaxValue)[0];
            try
            {
                await file.WriteAsync(chunk.Bytes, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            catch
            {
                // What reached the file is unknown: reopen on the next append, which trims a torn tail.
                CloseFile();
                throw;
            }

            _length += chunk.Bytes.Length;
            _head = chunk.LastSeq;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<InteractionLogRecord> ReadAsync(long afterSequence, CancellationToken cancellationToken = default) =>
        Read(afterSequence, cancellationToken).ToAsyncEnumerable();

    /// <inheritdoc />
    public async Task<long> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_file is not null)
            {
                return _head;
            }

            if (!File.Exists(FilePath))
            {
                return -1;
            }

            using var file = OpenShared();
            return ScanTail(file, file.Length).Head;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CloseFile();
        _gate.Dispose();
    }

    private IEnumerable<InteractionLogRecord> Read(long afterSequence, CancellationToken cancellationToken)
    {
        long? limit;
        _gate.Wait(cancellationToken);
        try
        {
            limit = _file is null ? null : _length;
        }
        finally
        {
            _gate.Release();
        }

        if (!File.Exists(FilePath))
        {
            yield break;
        }

        var file = OpenShared();
        var end = limit ?? file.Length;
        long start;
        try
        {
            start = StartOf(file, afterSequence, end);
            file.Position = start;
        }
        catch
        {
            file.Dispose();
            throw;
        }

        using var bounded = new BoundedReadStream(file, end - start);
        var source = start == 0 ? FilePath : $"{FilePath} (read from byte {start})";
        foreach (var record in new InteractionLogReader(bounded, source).ReadAll())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (record.Seq > afterSequence)
            {
                yield return record;
            }
        }
    }

    /// <summary>
    /// A line start before which every record is at or below <paramref name="afterSequence"/>, found by bisecting the
    /// file's first <paramref name="end"/> bytes (one record per line, in sequence order), so a read after a sequence
    /// costs what follows it rather than the whole file. Stops once the span left is small enough to read through.
    /// </summary>
    private long StartOf(FileStream file, long afterSequence, long end)
    {
        long low = 0, high = end;
        while (high - low > BisectSpan)
        {
            var middle = low + (high - low) / 2;
            if (FirstRecordFrom(file, middle, high) is not var (lineStart, seq))
            {
                high = middle;
            }
            else if (seq <= afterSequence)
            {
                low = lineStart;
            }
            else
            {
                high = lineStart;
            }
        }

        return low;
    }

    /// <summary>The start and sequence of the first record whose line starts at or after <paramref name="offset"/> and before <paramref name="end"/>.</summary>
    private (long LineStart, long Seq)? FirstRecordFrom(FileStream file, long offset, long end)
    {
        // The byte before the offset tells whether a line starts there; otherwise the line starts after the next newline.
        var from = offset - 1;
        for (var window = 4096; from < end; window *= 2)
        {
            var buffer = new byte[(int)Math.Min(window, end - from)];
            var read = RandomAccess.Read(file.SafeFileHandle, buffer, from);
            if (read == 0)
            {
                throw new EndOfStreamException($"{FilePath} shrank while it was read.");
            }

            var bytes = buffer.AsMemory(0, read);
            var newline = bytes.Span.IndexOf((byte)'\n');
            if (newline < 0)
            {
                if (from + read >= end)
                {
                    return null;
                }

                continue;
            }

            var lineStart = from + newline + 1;
            var lines = bytes[(newline + 1)..];
            var complete = lines.Span.LastIndexOf((byte)'\n') + 1;
            foreach (var record in LogBatch.Parse(lines[..complete], FilePath))
            {
                return lineStart < end ? (lineStart, record.Seq) : null;
            }

            if (from + read >= end)
            {
                return null;
            }
        }

        return null;
    }

    private FileStream OpenForAppend()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(FilePath)!);
        var file = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            var length = file.Length;
            var (head, committed) = ScanTail(file, length);
            if (committed < length)
            {
                LogTornTail(_logger, FilePath, length - committed);
                file.SetLength(committed);
                file.Flush(flushToDisk: true);
            }

            file.Position = committed;
            (_file, _length, _head) = (file, committed, head);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private FileStream OpenShared() =>
        new(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);

    /// <summary>The last record's sequence number and the length up to the last newline, reading back from the end.</summary>
    private (long Head, long Committed) ScanTail(FileStream file, long length)
    {
        for (long window = TailWindow; ; window *= 2)
        {
            var start = Math.Max(0, length - window);
            var buffer = new byte[length - start];
            for (var read = 0; read < buffer.Length;)
            {
                var n = RandomAccess.Read(file.SafeFileHandle, buffer.AsSpan(read), start + read);
                read += n > 0 ? n : throw new EndOfStreamException($"{FilePath} shrank while it was read.");
            }

            var scan = LogBatch.ScanTail(buffer, reachesStart: start == 0, FilePath);
            if (!scan.NeedMore)
            {
                return (scan.LastSeq ?? -1, start + scan.CommittedBytes);
            }
        }
    }

    private void CloseFile()
    {
        _file?.Dispose();
        _file = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interaction log {Path} ended with a torn append of {Bytes} bytes; it was cut off.")]
    private static partial void LogTornTail(ILogger logger, string path, long bytes);
}
