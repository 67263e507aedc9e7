using System.Buffers;
using System.Text.Json;

namespace Drex.Model.Data;

/// <summary>
/// Appends <see cref="InteractionLogRecord"/>s to a stream in the <see cref="InteractionLog"/> format. Each record is
/// written as one complete line with a single write call, so a crash can tear at most the final line. Not thread-safe.
/// </summary>
public sealed class InteractionLogWriter : IDisposable, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _json;

    /// <summary>Creates a writer that appends at the stream's current position.</summary>
    public InteractionLogWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        _json = new Utf8JsonWriter(_buffer, InteractionLog.WriterOptions);
    }

    /// <summary>Writes one record as one line.</summary>
    /// <exception cref="ArgumentException">The interaction has no id, an empty user or item id, or a non-finite rating.</exception>
    public void Append(InteractionLogRecord record) => _stream.Write(Format(record).Span);

    /// <summary>Writes one record as one line.</summary>
    public ValueTask AppendAsync(InteractionLogRecord record, CancellationToken cancellationToken = default) =>
        _stream.WriteAsync(Format(record), cancellationToken);

    /// <summary>Flushes the underlying stream.</summary>
    public void Flush() => _stream.Flush();

    /// <summary>Flushes the underlying stream.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _stream.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _json.Dispose();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync().ConfigureAwait(false);
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ReadOnlyMemory<byte> Format(InteractionLogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var x = record.Interaction ?? throw new ArgumentException("The record has no interaction.", nameof(record));
        if (string.IsNullOrEmpty(x.Id))
        {
            throw new ArgumentException("A logged interaction needs an id.", nameof(record));
        }

        if (string.IsNullOrEmpty(x.UserId) || string.IsNullOrEmpty(x.ItemId))
        {
            throw new ArgumentException("A logged interaction needs a user id and an item id.", nameof(record));
        }

        if (x.Rating is { } r && !float.IsFinite(r))
        {
            throw new ArgumentException("The rating must be a finite number.", nameof(record));
        }

        _buffer.ResetWrittenCount();
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString(InteractionLog.IdName, x.Id);
        _json.WriteString(InteractionLog.UserIdName, x.UserId);
        _json.WriteString(InteractionLog.ItemIdName, x.ItemId);
        if (x.Rating is { } rating)
        {
            _json.WriteNumber(InteractionLog.RatingName, rating);
        }
        else
        {
            _json.WriteNull(InteractionLog.RatingName);
        }

        if (x.Review is { } review)
        {
            _json.WriteString(InteractionLog.ReviewName, review);
        }
        else
        {
            _json.WriteNull(InteractionLog.ReviewName);
        }

        _json.WriteNumber(InteractionLog.TimestampName, x.Timestamp);
        _json.WriteNumber(InteractionLog.SeqName, record.Seq);
        _json.WriteEndObject();
        _json.Flush();

        // Compact JSON never contains a raw newline (strings escape it), so '\n' is an unambiguous record terminator.
        _buffer.Write("\n"u8);
        return _buffer.WrittenMemory;
    }
}
