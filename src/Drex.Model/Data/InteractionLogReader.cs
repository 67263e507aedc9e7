using System.Text.Json;

namespace Drex.Model.Data;

/// <summary>
/// Reads an <see cref="InteractionLog"/> back from a stream, streaming line by line. Strict: any malformed line throws
/// <see cref="InteractionLogFormatException"/> with its line number, except a final line without a newline, which is a
/// torn append and is ignored (<see cref="TornTail"/>). Blank lines are skipped.
/// </summary>
public sealed class InteractionLogReader
{
    private readonly Stream _stream;
    private readonly string? _source;
    private bool _started;

    /// <summary>Creates a reader over a stream; <paramref name="source"/> names it in error messages.</summary>
    public InteractionLogReader(Stream stream, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _source = source;
    }

    /// <summary>
    /// Bytes read up to and including the last newline, counted from where reading started: the length to truncate a
    /// log file to before appending after a torn tail. Final once <see cref="ReadAll"/> has been enumerated.
    /// </summary>
    public long CommittedBytes { get; private set; }

    /// <summary>True when the stream ended with a non-blank line without a newline, which was ignored.</summary>
    public bool TornTail { get; private set; }

    /// <summary>Reads every record of a log file.</summary>
    public static List<InteractionLogRecord> ReadFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        return [.. new InteractionLogReader(stream, path).ReadAll()];
    }

    /// <summary>Streams the records in log order. The stream can be enumerated once.</summary>
    public IEnumerable<InteractionLogRecord> ReadAll()
    {
        if (_started)
        {
            throw new InvalidOperationException("An interaction log reader can be enumerated only once.");
        }

        _started = true;
        return Enumerate();
    }

    private IEnumerable<InteractionLogRecord> Enumerate()
    {
        using var lines = new Utf8LineReader(_stream, leaveOpen: true);
        while (lines.TryReadLine(out var line))
        {
            if (!lines.LineEnded)
            {
                TornTail = !IsBlank(line.Span);
                yield break;
            }

            CommittedBytes = lines.Consumed;
            if (ParseLine(line.Span, lines.LineNumber) is { } record)
            {
                yield return record;
            }
        }
    }

    private InteractionLogRecord? ParseLine(ReadOnlySpan<byte> line, long lineNumber)
    {
        if (IsBlank(line))
        {
            return null;
        }

        try
        {
            return Parse(line) ?? throw Error(lineNumber, "a record needs id, userId, itemId, timestamp and seq");
        }
        catch (JsonException ex)
        {
            throw Error(lineNumber, $"invalid JSON ({ex.Message})", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException && ex is not InteractionLogFormatException)
        {
            // Utf8JsonReader's typed getters throw these for a value of the wrong JSON type or outside the target type.
            throw Error(lineNumber, $"a property has the wrong type ({ex.Message})", ex);
        }
    }

    private static InteractionLogRecord? Parse(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a JSON object");
        }

        string? id = null, userId = null, itemId = null, review = null;
        float? rating = null;
        long? timestamp = null, seq = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(InteractionLog.IdName.EncodedUtf8Bytes))
            {
                reader.Read();
                id = reader.GetString();
            }
            else if (reader.ValueTextEquals(InteractionLog.UserIdName.EncodedUtf8Bytes))
            {
                reader.Read();
                userId = reader.GetString();
            }
            else if (reader.ValueTextEquals(InteractionLog.ItemIdName.EncodedUtf8Bytes))
            {
                reader.Read();
                itemId = reader.GetString();
            }
            else if (reader.ValueTextEquals(InteractionLog.RatingName.EncodedUtf8Bytes))
            {
                reader.Read();
                rating = reader.TokenType == JsonTokenType.Null ? null : reader.GetSingle();
                if (rating is { } r && !float.IsFinite(r))
                {
                    throw new FormatException("rating is not a finite float");
                }
            }
            else if (reader.ValueTextEquals(InteractionLog.ReviewName.EncodedUtf8Bytes))
            {
                reader.Read();
                review = reader.GetString();
            }
            else if (reader.ValueTextEquals(InteractionLog.TimestampName.EncodedUtf8Bytes))
            {
                reader.Read();
                timestamp = reader.GetInt64();
            }
            else if (reader.ValueTextEquals(InteractionLog.SeqName.EncodedUtf8Bytes))
            {
                reader.Read();
                seq = reader.GetInt64();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new JsonException("expected exactly one JSON object on the line");
        }

        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(itemId)
            || timestamp is null || seq is null)
        {
            return null;
        }

        return new InteractionLogRecord(seq.Value, new Interaction(userId, itemId, rating, review, timestamp.Value, id));
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    private InteractionLogFormatException Error(long lineNumber, string reason, Exception? inner = null) =>
        new(_source, lineNumber, reason, inner);
}
