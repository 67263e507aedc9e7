namespace Drex.Grains;

/// <summary>Names of the storage providers the grains use; the silo host registers them.</summary>
public static class GrainStorage
{
    /// <summary>Grain state of the model registry (one grain, a write per publish).</summary>
    public const string Name = "drex";

    /// <summary>Grain state of the user and item actors (a write per acknowledged batch of interactions).</summary>
    public const string Actors = "drex-actors";
}
