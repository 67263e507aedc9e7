namespace Drex.Model.Text;

/// <summary>Turns texts into token vectors; implemented by the model encoder and by its on-disk cache.</summary>
public interface IReviewEncoder
{
    /// <summary>Names the model, its weights and its settings: equal identities give equal outputs.</summary>
    string Identity { get; }

    /// <summary>
    /// Encodes <paramref name="texts"/>; the result has one entry per text, in order. Empty or whitespace texts give
    /// <see cref="EncodedText.Empty"/>. <paramref name="progress"/> receives the number of texts done so far.
    /// </summary>
    IReadOnlyList<EncodedText> Encode(
        IReadOnlyList<string> texts, IProgress<int>? progress = null, CancellationToken cancellationToken = default);
}
