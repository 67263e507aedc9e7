namespace Drex.Trainer.Data;

/// <summary>How <see cref="Dataset.Build"/> prepares raw interactions.</summary>
/// <param name="Deduplicate">Keep one interaction per (user, item): the latest by timestamp, the later row on ties.</param>
/// <param name="KCore">When above 1, repeatedly drop users and items with fewer than this many interactions until none remain.</param>
public sealed record DatasetOptions(bool Deduplicate = true, int KCore = 0);

/// <summary>What <see cref="Dataset.Build"/> did to the raw interactions.</summary>
/// <param name="Input">Interactions given.</param>
/// <param name="DuplicatesDropped">Interactions dropped as older duplicates of a (user, item) pair.</param>
/// <param name="KCoreDropped">Interactions dropped by k-core filtering.</param>
/// <param name="KCoreRounds">Filtering rounds that removed something.</param>
public sealed record DatasetPreparationReport(int Input, int DuplicatesDropped, int KCoreDropped, int KCoreRounds);
