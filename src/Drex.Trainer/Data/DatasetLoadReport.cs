using Drex.Model.Data;

namespace Drex.Trainer.Data;

/// <summary>What <see cref="DatasetLoader.Load"/> read.</summary>
/// <param name="Path">The file or folder loaded.</param>
/// <param name="Format">The detected format.</param>
/// <param name="Rows">Data rows read.</param>
/// <param name="SkippedRows">Rows dropped for a missing user, item, time or content (never for malformed input, which throws).</param>
/// <param name="Interactions">Interactions returned.</param>
/// <param name="Elapsed">Wall-clock load time.</param>
public sealed record DatasetLoadReport(string Path, DatasetFormat Format, long Rows, long SkippedRows, int Interactions, TimeSpan Elapsed);

/// <summary>Interactions in source order, with the report of how they were read.</summary>
public sealed record LoadedInteractions(IReadOnlyList<Interaction> Interactions, DatasetLoadReport Report);
