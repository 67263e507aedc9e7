using System.Globalization;
using System.Text;
using System.Text.Json;
using Drex.Model.Data;

namespace Drex.Trainer.Data;

/// <summary>
/// Streams Amazon review JSON lines (plain or gzip) in the 2014, 2018 and 2023 layouts into interactions.
/// <list type="bullet">
/// <item>User: <c>reviewerID</c> (2014/2018) or <c>user_id</c> (2023). Item: <c>parent_asin</c> when present (the
/// product group the 2023 benchmarks use), else <c>asin</c>. Rating: <c>overall</c> or <c>rating</c>, as given.</item>
/// <item>Time: <c>unixReviewTime</c> (seconds), else <c>timestamp</c> (2023, milliseconds, floored to seconds), else
/// <c>reviewTime</c> ("M d, yyyy", UTC).</item>
/// <item>Review: title (<c>summary</c>/<c>title</c>) and body (<c>reviewText</c>/<c>text</c>), trimmed, joined as
/// "title. body" (just a space when the title already ends in . ! or ?); whichever is non-blank otherwise; null when
/// neither is.</item>
/// <item>Other keys (<c>vote</c> as number or "1,234", <c>verified</c>, <c>style</c>, <c>image</c>, ...) are ignored.</item>
/// </list>
/// A line that is not a JSON object, or has a known field of the wrong type, throws <see cref="DatasetFormatException"/>
/// with its line number. A valid object without user, item or time, or with neither rating nor text, is skipped and
/// counted in <see cref="DatasetReadCounters.Skipped"/>.
/// </summary>
public static class AmazonReviewReader
{
    private const int StackIdLength = 256;
    private static readonly string[] ReviewTimeFormats = ["M d, yyyy"];

    /// <summary>Streams the file's interactions in file order.</summary>
    public static IEnumerable<Interaction> Read(string path, DatasetReadCounters? counters = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Amazon review file not found: {path}", path);
        }

        return ReadLines(path, counters ?? new DatasetReadCounters());
    }

    private static IEnumerable<Interaction> ReadLines(string path, DatasetReadCounters counters)
    {
        counters.Rows = 0;
        counters.Skipped = 0;
        var pool = new StringPool();
        using var lines = new Utf8LineReader(DataFile.OpenRead(path));
        while (lines.TryReadLine(out var line))
        {
            if (line.Span.Trim(" \t"u8).IsEmpty)
            {
                continue;
            }

            counters.Rows++;
            var interaction = ParseLine(line.Span, pool, path, lines.LineNumber);
            if (interaction is null)
            {
                counters.Skipped++;
                continue;
            }

            yield return interaction;
        }
    }

    private static Interaction? ParseLine(ReadOnlySpan<byte> line, StringPool pool, string path, long lineNumber)
    {
        try
        {
            return Parse(line, pool);
        }
        catch (JsonException ex)
        {
            throw new DatasetFormatException(path, lineNumber, $"invalid JSON ({ex.Message})", ex);
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader's typed getters throw this when a value has the wrong JSON type.
            throw new DatasetFormatException(path, lineNumber, $"a field has the wrong type ({ex.Message})", ex);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException && ex is not DatasetFormatException)
        {
            throw new DatasetFormatException(path, lineNumber, ex.Message, ex);
        }
    }

    private static Interaction? Parse(ReadOnlySpan<byte> line, StringPool pool)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a JSON object");
        }

        string? reviewerId = null, userId = null, asin = null, parentAsin = null;
        string? body = null, title = null, reviewTime = null;
        float? rating = null;
        long? seconds = null, milliseconds = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("reviewerID"u8))
            {
                reviewerId = ReadId(ref reader, pool);
            }
            else if (reader.ValueTextEquals("user_id"u8))
            {
                userId = ReadId(ref reader, pool);
            }
            else if (reader.ValueTextEquals("asin"u8))
            {
                asin = ReadId(ref reader, pool);
            }
            else if (reader.ValueTextEquals("parent_asin"u8))
            {
                parentAsin = ReadId(ref reader, pool);
            }
            else if (reader.ValueTextEquals("overall"u8) || reader.ValueTextEquals("rating"u8))
            {
                rating = ReadRating(ref reader);
            }
            else if (reader.ValueTextEquals("reviewText"u8) || reader.ValueTextEquals("text"u8))
            {
                body = ReadText(ref reader);
            }
            else if (reader.ValueTextEquals("summary"u8) || reader.ValueTextEquals("title"u8))
            {
                title = ReadText(ref reader);
            }
            else if (reader.ValueTextEquals("unixReviewTime"u8))
            {
                seconds = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                milliseconds = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("reviewTime"u8))
            {
                reviewTime = ReadText(ref reader);
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

        var user = reviewerId ?? userId;
        var item = parentAsin ?? asin;
        var time = seconds ?? FloorToSeconds(milliseconds) ?? ParseReviewTime(reviewTime);
        var review = JoinReview(title, body);
        return user is null || item is null || time is null || (rating is null && review is null)
            ? null
            : new Interaction(user, item, rating, review, time.Value);
    }

    /// <summary>Joins a review's title and body as documented on the type; null when both are blank.</summary>
    internal static string? JoinReview(string? title, string? body)
    {
        title = string.IsNullOrWhiteSpace(title) ? null : title.Trim();
        body = string.IsNullOrWhiteSpace(body) ? null : body.Trim();
        if (title is null || body is null)
        {
            return title ?? body;
        }

        return title[^1] is '.' or '!' or '?' ? $"{title} {body}" : $"{title}. {body}";
    }

    private static string? ReadId(ref Utf8JsonReader reader, StringPool pool)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return pool.Intern(Encoding.UTF8.GetString(reader.ValueSpan));
            case JsonTokenType.String when reader.ValueSpan.Length <= StackIdLength:
                Span<char> chars = stackalloc char[StackIdLength];
                var id = chars[..reader.CopyString(chars)].Trim();
                return id.IsEmpty ? null : pool.Intern(id);
            default:
                var s = reader.GetString()!.Trim();
                return s.Length == 0 ? null : pool.Intern(s);
        }
    }

    private static float? ReadRating(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        double value;
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                throw new FormatException($"rating \"{text}\" is not a number");
            }
        }
        else
        {
            value = reader.GetDouble();
        }

        return double.IsFinite(value) ? (float)value : throw new FormatException("rating is not a finite number");
    }

    private static string? ReadText(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
    }

    private static long? ReadInt64(ref Utf8JsonReader reader)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                var s = reader.GetString();
                return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
                    ? parsed
                    : throw new FormatException($"time \"{s}\" is not an integer");
            default:
                return reader.TryGetInt64(out var value) ? value : checked((long)Math.Floor(reader.GetDouble()));
        }
    }

    private static long? FloorToSeconds(long? milliseconds)
    {
        if (milliseconds is not { } ms)
        {
            return null;
        }

        var (seconds, remainder) = Math.DivRem(ms, 1000L);
        return remainder < 0 ? seconds - 1 : seconds;
    }

    private static long? ParseReviewTime(string? reviewTime) =>
        reviewTime is not null && DateTime.TryParseExact(reviewTime.Trim(), ReviewTimeFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? (long)(date - DateTime.UnixEpoch).TotalSeconds
            : null;
}
