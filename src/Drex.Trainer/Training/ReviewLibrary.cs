using Drex.Model.Text;
using Drex.Trainer.Data;

namespace Drex.Trainer.Training;

/// <summary>The token vectors of every distinct review text of a dataset, encoded once (through the encoder cache).</summary>
internal sealed class ReviewLibrary
{
    private readonly Dictionary<string, EncodedText> _encoded;

    private ReviewLibrary(Dictionary<string, EncodedText> encoded) => _encoded = encoded;

    /// <summary>No reviews: what a DReX model reads from a ratings-only dataset.</summary>
    public static ReviewLibrary Empty { get; } = new(new Dictionary<string, EncodedText>(StringComparer.Ordinal));

    public int Count => _encoded.Count;

    public static ReviewLibrary Encode(Dataset dataset, IReviewEncoder encoder, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var texts = dataset.Interactions.Where(x => x.HasReview).Select(x => x.Review!).Distinct(StringComparer.Ordinal).ToArray();
        var encoded = encoder.Encode(texts, progress, ct);
        var map = new Dictionary<string, EncodedText>(texts.Length, StringComparer.Ordinal);
        for (var k = 0; k < texts.Length; k++)
        {
            map[texts[k]] = encoded[k];
        }

        return new ReviewLibrary(map);
    }

    public EncodedText? Get(string? text) =>
        text is not null && _encoded.TryGetValue(text, out var e) && e.Length > 0 ? e : null;

    /// <summary>The dataset in the network's index form (NaN: no rating; null: no review).</summary>
    public TrainingData ToTrainingData(Dataset dataset) =>
        new(
            dataset.UserCount,
            dataset.ItemCount,
            dataset.UserIndices.ToArray(),
            dataset.ItemIndices.ToArray(),
            dataset.Interactions.Select(x => x.Rating ?? float.NaN).ToArray(),
            dataset.Interactions.Select(x => Get(x.Review)).ToArray());
}
