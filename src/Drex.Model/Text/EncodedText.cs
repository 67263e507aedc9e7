using System.Numerics.Tensors;

namespace Drex.Model.Text;

/// <summary>
/// A text's content tokens as the review encoder sees them: the word pieces (without [CLS], [SEP] or padding) and
/// one <see cref="ReviewEncoder.Dimension"/>-wide vector per piece, row-major.
/// </summary>
public sealed class EncodedText
{
    /// <summary>The encoding of an empty text: no tokens. Callers treat it as "no review".</summary>
    public static EncodedText Empty { get; } = new([], []);

    public EncodedText(string[] pieces, float[] vectors)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Length != pieces.Length * ReviewEncoder.Dimension)
        {
            throw new ArgumentException(
                $"Expected {pieces.Length} x {ReviewEncoder.Dimension} floats, got {vectors.Length}.", nameof(vectors));
        }

        Pieces = pieces;
        Vectors = vectors;
    }

    /// <summary>Word pieces as the vocabulary spells them, e.g. "gui", "##tar".</summary>
    public string[] Pieces { get; }

    /// <summary><see cref="Length"/> x <see cref="ReviewEncoder.Dimension"/> floats, row-major.</summary>
    public float[] Vectors { get; }

    /// <summary>Number of content tokens; 0 for an empty text.</summary>
    public int Length => Pieces.Length;

    /// <summary>The vector of token <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Row(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
        return Vectors.AsSpan(index * ReviewEncoder.Dimension, ReviewEncoder.Dimension);
    }

    /// <summary>
    /// The mean of the content token vectors, L2-normalised: a sentence embedding. It leaves out [CLS] and [SEP], so
    /// it is close to, not equal to, sentence-transformers' pooled output. All zeros for an empty text.
    /// </summary>
    public float[] MeanPooled()
    {
        var pooled = new float[ReviewEncoder.Dimension];
        for (var i = 0; i < Length; i++)
        {
            TensorPrimitives.Add(pooled, Row(i), pooled);
        }

        var norm = TensorPrimitives.Norm(pooled);
        if (norm > 0)
        {
            TensorPrimitives.Divide(pooled, norm, pooled);
        }

        return pooled;
    }
}
