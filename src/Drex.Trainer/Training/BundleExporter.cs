using System.Text;
using Drex.Model.Bundle;
using Drex.Model.Keywords;

namespace Drex.Trainer.Training;

/// <summary>Turns a trained network and its replayed states into a model bundle, keyword profiles included.</summary>
internal static class BundleExporter
{
    /// <summary>A sortable, unique version name: UTC time plus a random suffix.</summary>
    public static string NewVersion(TimeProvider? time = null) =>
        $"{(time ?? TimeProvider.System).GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid().ToString("N")[..6]}";

    public static ModelBundle Export(
        TrainedDrex trained, TrainingData data, IReadOnlyList<string> userIds, IReadOnlyList<string> itemIds,
        IReadOnlyList<int> replayed, SnapshotPoint point, string version, string encoder,
        TrainingWatermark watermark, ValidationMetrics? validation)
    {
        var reviewed = replayed.Where(x => data.ReviewLength(x) > 0 && trained.Attention[x] is not null).ToArray();
        var vocabulary = KeywordVocabulary.Build(
            reviewed.Select(x => (IReadOnlyList<string>)data.Reviews[x]!.Pieces), KeywordVocabulary.MinKeywordDocuments);
        var users = new Dictionary<int, KeywordProfile>();
        var items = new Dictionary<int, KeywordProfile>();
        if (point == SnapshotPoint.End)
        {
            foreach (var x in reviewed)
            {
                var words = KeywordExtractor.Extract(data.Reviews[x]!.Pieces, trained.Attention[x], vocabulary);
                Profile(users, data.Users[x]).Add(words);
                Profile(items, data.Items[x]).Add(words);
            }
        }

        var snapshot = trained.Snapshot(point, userIds, itemIds, (user, a) =>
            (user ? users : items).TryGetValue(a, out var p) ? p.Entries.ToArray() : []);
        return ModelBundle.Create(
            version, trained.Settings, encoder, watermark, validation, trained.Graphs(), snapshot,
            Encoding.UTF8.GetBytes(vocabulary.ToJson()));
    }

    private static KeywordProfile Profile(Dictionary<int, KeywordProfile> profiles, int actor)
    {
        if (!profiles.TryGetValue(actor, out var profile))
        {
            profiles[actor] = profile = new KeywordProfile();
        }

        return profile;
    }
}
