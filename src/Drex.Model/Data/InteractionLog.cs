using System.Text.Encodings.Web;
using System.Text.Json;

namespace Drex.Model.Data;

/// <summary>
/// The system's own interaction log: UTF-8 JSON lines, one object per interaction, each line ended by <c>\n</c>:
/// <c>{"id":"...","userId":"...","itemId":"...","rating":4.5,"review":"...","timestamp":1700000000,"seq":42}</c>.
/// <c>rating</c> and <c>review</c> may be null or absent; <c>timestamp</c> is unix seconds; <c>seq</c> is the
/// record's sequence number in the log. Unknown properties are ignored so that later versions can add fields.
/// A record is committed once its newline is written: a final line without one is a torn append and is ignored.
/// </summary>
public static class InteractionLog
{
    /// <summary>The conventional file extension of a log file.</summary>
    public const string FileExtension = ".jsonl";

    internal static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    internal static readonly JsonEncodedText UserIdName = JsonEncodedText.Encode("userId");
    internal static readonly JsonEncodedText ItemIdName = JsonEncodedText.Encode("itemId");
    internal static readonly JsonEncodedText RatingName = JsonEncodedText.Encode("rating");
    internal static readonly JsonEncodedText ReviewName = JsonEncodedText.Encode("review");
    internal static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("timestamp");
    internal static readonly JsonEncodedText SeqName = JsonEncodedText.Encode("seq");

    // Log files are data, never embedded in HTML, so non-ASCII review text is written as is rather than \u-escaped.
    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };
}
