namespace Drex.Trainer.Data;

/// <summary>A streaming reader of delimited text records (<see cref="CsvReader"/>, <see cref="SeparatedReader"/>).</summary>
internal interface IRecordReader : IDisposable
{
    /// <summary>The 1-based line on which the current record starts.</summary>
    long LineNumber { get; }

    int FieldCount { get; }

    ReadOnlySpan<char> this[int index] { get; }

    /// <summary>True when the current record is an empty line.</summary>
    bool IsBlank { get; }

    /// <summary>Moves to the next record; false at the end of the input.</summary>
    bool ReadRecord();
}
