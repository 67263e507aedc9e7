using System.Text;
using Drex.Model.Bundle;
using Drex.Model.Keywords;
using Drex.Model.Runtime;

namespace Drex.Grains.Services;

/// <summary>
/// One model version ready to serve on this silo: its ONNX sessions, snapshot lookups and keyword vocabulary.
/// Immutable once built; a grain reads the reference once per call so a swap mid-call never mixes versions.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    public LoadedModel(ModelBundle bundle)
    {
        Bundle = bundle;
        Runtime = new DrexRuntime(bundle);
        Vocabulary = KeywordVocabulary.FromJson(Encoding.UTF8.GetString(bundle.Keywords));
        (DotScale, DotShift) = MeasureDotCalibration();
        IndexPartitions = ItemPartition.Split(bundle.Snapshot.Items);
    }

    /// <summary>
    /// The snapshot's items split by item-index partition, built once per silo when the model loads (not by each
    /// partition grain on its first call after a swap, which scanned every item once per partition).
    /// </summary>
    public IReadOnlyList<ItemPartition> IndexPartitions { get; }

    public string Version => Bundle.Version;

    public ModelBundle Bundle { get; }

    public DrexRuntime Runtime { get; }

    public KeywordVocabulary Vocabulary { get; }

    public ModelSettings Settings => Bundle.Settings;

    /// <summary>The log sequence number up to which the snapshot includes interactions (-1: none from the log).</summary>
    public long Watermark => Bundle.Manifest.Watermark.LastSequence;

    /// <summary>Rating = mu + b_u + b_i + DotScale * p.q + DotShift under the dot head (used by SIMD top-k scoring).</summary>
    public float DotScale { get; }

    public float DotShift { get; }

    public ActorRecord? User(string id) => Bundle.Snapshot.Users.Get(id);

    public ActorRecord? Item(string id) => Bundle.Snapshot.Items.Get(id);

    public float[] UserInitial => Bundle.Snapshot.UserInitial;

    public float[] ItemInitial => Bundle.Snapshot.ItemInitial;

    public void Dispose() => Runtime.Dispose();

    /// <summary>Reads the dot head's calibration off the graph itself, so scoring outside ONNX matches it exactly.</summary>
    private (float Scale, float Shift) MeasureDotCalibration()
    {
        var h = Settings.HiddenDim;
        var zero = new float[h];
        var unit = new float[h];
        unit[0] = 1f;
        var raw = Runtime.PredictRaw(RatingHead.Dot, [.. zero, .. unit], [0f, 0f], [.. zero, .. unit], [0f, 0f], 2);
        var shift = raw[0] - Settings.GlobalMean;
        return (raw[1] - raw[0], shift);
    }
}
