namespace Drex.Trainer.Data;

/// <summary>A dataset file that cannot be read: malformed content, or a format the loader does not know.</summary>
public sealed class DatasetFormatException : FormatException
{
    /// <summary>Creates the exception for a line of a file; <paramref name="lineNumber"/> is 0 when no line is at fault.</summary>
    public DatasetFormatException(string path, long lineNumber, string reason, Exception? innerException = null)
        : base(lineNumber > 0 ? $"{path}, line {lineNumber}: {reason}" : $"{path}: {reason}", innerException)
    {
        Path = path;
        LineNumber = lineNumber;
        Reason = reason;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }

    /// <summary>The 1-based line number, or 0 when the problem is not one line.</summary>
    public long LineNumber { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }
}
