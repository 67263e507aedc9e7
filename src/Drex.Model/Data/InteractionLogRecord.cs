namespace Drex.Model.Data;

/// <summary>One record of the <see cref="InteractionLog"/>: an interaction and its sequence number.</summary>
/// <param name="Seq">The record's sequence number; the log's owner assigns it, the format does not check order.</param>
/// <param name="Interaction">The interaction; its <see cref="Interaction.Id"/> is required in the log.</param>
public sealed record InteractionLogRecord(long Seq, Interaction Interaction);
