namespace Drex.Testing;

/// <summary>Finds the repository a test runs from.</summary>
public static class RepositoryRoot
{
    private const string Marker = "Drex.sln";

    /// <summary>The folder holding Drex.sln, found by walking up from the test's output folder.</summary>
    public static string Path { get; } = Find(AppContext.BaseDirectory);

    private static string Find(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, Marker)))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No {Marker} in {start} or any folder above it: run the tests from the repository.");
    }
}
