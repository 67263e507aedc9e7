using System.Text.Json;

namespace Drex.LoadTest;

/// <summary>Writes a run's JSON summary (to a file when asked, always as the last stdout line prefixed "JSON ").</summary>
public static class Output
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = false, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void Write(object summary, string? path)
    {
        var json = JsonSerializer.Serialize(summary, Json);
        if (!string.IsNullOrEmpty(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, JsonSerializer.Serialize(summary, new JsonSerializerOptions(Json) { WriteIndented = true }));
        }

        Console.WriteLine("JSON " + json);
    }
}
