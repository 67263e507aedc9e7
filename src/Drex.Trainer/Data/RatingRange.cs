namespace Drex.Trainer.Data;

/// <summary>The smallest and largest rating seen in a dataset; predictions are clamped to it.</summary>
public readonly record struct RatingRange(float Min, float Max)
{
    /// <summary>The value limited to [<see cref="Min"/>, <see cref="Max"/>].</summary>
    public float Clamp(float value) => Math.Clamp(value, Min, Max);
}
