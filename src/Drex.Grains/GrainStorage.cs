namespace Drex.Grains;

/// <summary>Names of the storage providers the grains use; the silo host registers them.</summary>
public static class GrainStorage
{
    /// <summary>Grain state (users, items, registry).</summary>
    public const string Name = "drex";
}
