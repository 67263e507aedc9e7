using System.Text.Json.Serialization;

namespace Drex.Model.Bundle;

/// <summary>The served rating head: DReX's dot product with biases, or DReX-MLP.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RatingHead>))]
public enum RatingHead
{
    Dot,
    Mlp,
}

/// <summary>
/// The shape of a DReX model: every dimension the graphs, the trainer and the silos must agree on.
/// Defaults are the choices documented in MODEL.md.
/// </summary>
public sealed record ModelSettings
{
    /// <summary>Token vector size of the review encoder (all-MiniLM-L6-v2: 384).</summary>
    public int TextDim { get; init; } = 384;

    /// <summary>Hidden size of the additive attention over review tokens.</summary>
    public int AttentionDim { get; init; } = 64;

    /// <summary>Size of the projected review feature t_d.</summary>
    public int TextFeatureDim { get; init; } = 64;

    /// <summary>Size of the rating embedding e_r.</summary>
    public int RatingDim { get; init; } = 16;

    /// <summary>Number of rating levels the rating embedding distinguishes.</summary>
    public int RatingLevels { get; init; } = 5;

    /// <summary>Size of the fused interaction feature f_x (the GRU input).</summary>
    public int FusionDim { get; init; } = 64;

    /// <summary>Size of user and item states (h).</summary>
    public int HiddenDim { get; init; } = 64;

    /// <summary>Hidden width of the DReX-MLP head.</summary>
    public int MlpHiddenDim { get; init; } = 64;

    /// <summary>Whether user and item GRU cells share one set of weights.</summary>
    public bool SharedCells { get; init; }

    /// <summary>
    /// Dot head only: add linear readouts of each side's state, w_u.p + c_u + w_i.q + c_i, to p.q (a per-actor offset
    /// learned from the interaction history, e.g. how consistently a user rates).
    /// </summary>
    public bool ActorReadouts { get; init; }

    /// <summary>
    /// A second, sentiment attention over the review tokens (its own additive attention and text projection, t_s)
    /// whose feature is fused next to the keyword attention's t_d: [m_r e_r ; m_d t_d ; m_d t_s ; m_r ; m_d]. The
    /// keyword attention stays the one the encoder returns and keyword profiles are built from; in training the
    /// auxiliary text loss reads only t_s, so it never reaches the keyword attention. False here so that manifests
    /// written before the setting existed read as what they are; the trainer sets it (TrainerOptions.SentimentAttention,
    /// on by default).
    /// </summary>
    public bool SentimentAttention { get; init; }

    /// <summary>The head trained (and served) by this model.</summary>
    public RatingHead Head { get; init; } = RatingHead.Dot;

    /// <summary>Lowest rating of the data the model was trained on.</summary>
    public float RatingMin { get; init; } = 1f;

    /// <summary>Highest rating of the data the model was trained on.</summary>
    public float RatingMax { get; init; } = 5f;

    /// <summary>The training mean rating, mu.</summary>
    public float GlobalMean { get; init; }

    /// <summary>The input width of the fusion layer: [m_r e_r ; m_d t_d ; m_r ; m_d], with m_d t_s after t_d when
    /// <see cref="SentimentAttention"/> is on.</summary>
    [JsonIgnore]
    public int FusionInputDim => RatingDim + (SentimentAttention ? 2 : 1) * TextFeatureDim + 2;

    /// <summary>Maps a rating onto one of <see cref="RatingLevels"/> buckets spread evenly over the rating range.</summary>
    public long RatingLevel(float rating)
    {
        if (RatingMax <= RatingMin)
        {
            return 0;
        }

        var scaled = (rating - RatingMin) / (RatingMax - RatingMin) * (RatingLevels - 1);
        return Math.Clamp((long)MathF.Round(scaled, MidpointRounding.AwayFromZero), 0, RatingLevels - 1);
    }

    /// <summary>Clamps a prediction into the rating range.</summary>
    public float Clamp(float prediction) => Math.Clamp(prediction, RatingMin, RatingMax);

    /// <summary>Throws when a dimension is not usable.</summary>
    public void Validate()
    {
        if (TextDim <= 0 || AttentionDim <= 0 || TextFeatureDim <= 0 || RatingDim <= 0 || RatingLevels < 2 ||
            FusionDim <= 0 || HiddenDim <= 0 || MlpHiddenDim <= 0)
        {
            throw new InvalidDataException($"Model settings have a non-positive dimension: {this}");
        }

        if (!(RatingMax > RatingMin) || !float.IsFinite(GlobalMean))
        {
            throw new InvalidDataException($"Model settings have an invalid rating range or mean: {this}");
        }
    }
}
