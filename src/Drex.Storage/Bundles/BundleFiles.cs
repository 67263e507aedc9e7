using System.Text.Json;
using Drex.Model.Bundle;

namespace Drex.Storage.Bundles;

/// <summary>Rules every bundle store shares: valid version names, the files a manifest lists, immutability.</summary>
internal static class BundleFiles
{
    private const int MaxVersionLength = 128;

    /// <summary>Marks a folder being written beside its final name (see <see cref="ModelBundle.WriteTo"/>).</summary>
    public const string StagingMarker = ".partial-";

    /// <summary>Throws unless the version is usable as one path segment in a folder or a blob name.</summary>
    public static string ValidateVersion(string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (version.Length > MaxVersionLength || version[0] == '.' || version.Contains(StagingMarker, StringComparison.Ordinal)
            || !version.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException(
                $"Model bundle version '{version}' is not valid: use up to {MaxVersionLength} ASCII letters, digits, '-', '_' or '.', not starting with '.'.",
                nameof(version));
        }

        return version;
    }

    /// <summary>Whether a stored manifest describes exactly the files of <paramref name="manifest"/> (a repeated upload).</summary>
    public static bool SameContent(byte[] stored, BundleManifest manifest)
    {
        try
        {
            var files = JsonSerializer.Deserialize<BundleManifest>(stored, BundleManifest.Json)?.Files;
            return files is not null && files.Count == manifest.Files.Count
                && manifest.Files.All(f => files.TryGetValue(f.Key, out var other) && other == f.Value);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The error for a second, different upload of a version.</summary>
    public static InvalidOperationException Conflict(string version, string where) =>
        new($"Model bundle '{version}' already exists in {where} with different content; bundles are immutable, publish a new version.");
}
