namespace Drex.Model.Data;

/// <summary>A line of an <see cref="InteractionLog"/> that is not a valid record.</summary>
public sealed class InteractionLogFormatException : FormatException
{
    /// <summary>Creates the exception for a line of a named source.</summary>
    public InteractionLogFormatException(string? source, long lineNumber, string reason, Exception? innerException = null)
        : base($"{source ?? "interaction log"}, line {lineNumber}: {reason}", innerException)
    {
        SourceName = source;
        LineNumber = lineNumber;
        Reason = reason;
    }

    /// <summary>The file or stream name the line came from, when known.</summary>
    public string? SourceName { get; }

    /// <summary>The 1-based line number of the offending line.</summary>
    public long LineNumber { get; }

    /// <summary>What is wrong with the line.</summary>
    public string Reason { get; }
}
