namespace Drex.Trainer.Data;

/// <summary>Counts what a streaming reader saw; filled in as its enumeration proceeds.</summary>
public sealed class DatasetReadCounters
{
    /// <summary>Data rows read (non-blank lines, CSV records after the header).</summary>
    public long Rows { get; internal set; }

    /// <summary>Well-formed rows dropped because a required field (user, item, time, any content) was missing.</summary>
    public long Skipped { get; internal set; }
}
