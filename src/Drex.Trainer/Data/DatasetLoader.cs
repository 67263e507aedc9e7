using System.Diagnostics;
using System.Text.Json;
using Drex.Model.Data;

namespace Drex.Trainer.Data;

/// <summary>
/// Loads interactions from a file or folder, detecting the format. A folder with ratings.csv, ratings.dat or u.data
/// (each optionally .gz) is MovieLens, and so is a path naming one of those files; a
/// folder with exactly one .json/.jsonl file (optionally .gz) is read as that file. A JSON lines file's format is
/// sniffed from the keys of its first non-blank line: reviewerID+asin is Amazon 2014/2018, user_id+parent_asin/asin is
/// Amazon 2023, userId+itemId+seq is the interaction log. Public datasets skip rows without user or item (counted);
/// the log is strict.
/// </summary>
public static class DatasetLoader
{
    private const string Expected =
        "expected Amazon 2014/2018 JSON lines (reviewerID, asin), Amazon 2023 JSON lines (user_id, parent_asin or asin), "
        + "a Drex interaction log (userId, itemId, seq), or a MovieLens folder (ratings.csv, ratings.dat or u.data)";

    private static readonly string[] JsonSuffixes = [".json", ".jsonl", ".json.gz", ".jsonl.gz"];

    /// <summary>Loads every interaction of the dataset at <paramref name="path"/>, in source order.</summary>
    /// <exception cref="DatasetFormatException">Unknown format or malformed content (with its line number).</exception>
    /// <exception cref="FileNotFoundException">Nothing exists at the path.</exception>
    public static LoadedInteractions Load(string path)
    {
        var stopwatch = Stopwatch.StartNew();
        var (source, format) = Detect(path);
        var counters = new DatasetReadCounters();
        List<Interaction> interactions;
        switch (format)
        {
            case DatasetFormat.MovieLens:
                interactions = [.. MovieLensReader.Read(source, counters)];
                break;
            case DatasetFormat.Amazon2014 or DatasetFormat.Amazon2023:
                interactions = [.. AmazonReviewReader.Read(source, counters)];
                break;
            default:
                interactions = ReadLog(source);
                counters.Rows = interactions.Count;
                break;
        }

        var report = new DatasetLoadReport(source, format, counters.Rows, counters.Skipped, interactions.Count, stopwatch.Elapsed);
        return new LoadedInteractions(interactions, report);
    }

    /// <summary>Resolves the file or folder to read and its format, without reading more than the first line.</summary>
    public static (string Source, DatasetFormat Format) Detect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            if (MovieLensReader.IsMovieLensFolder(path))
            {
                return (path, DatasetFormat.MovieLens);
            }

            var jsonFiles = Directory.EnumerateFiles(path)
                .Where(f => JsonSuffixes.Any(s => f.EndsWith(s, StringComparison.OrdinalIgnoreCase)))
                .Order(StringComparer.Ordinal)
                .ToList();
            return jsonFiles.Count == 1
                ? (jsonFiles[0], DetectFile(jsonFiles[0]))
                : throw new DatasetFormatException(path, 0, jsonFiles.Count == 0
                    ? $"no dataset found in the folder; {Expected}"
                    : $"the folder holds {jsonFiles.Count} JSON files ({string.Join(", ", jsonFiles.Select(Path.GetFileName))}); name one of them");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No dataset file or folder at {path}", path);
        }

        var name = Path.GetFileName(path);
        if (MovieLensReader.RatingsFiles.Any(f => name.Equals(f, StringComparison.OrdinalIgnoreCase) || name.Equals(f + ".gz", StringComparison.OrdinalIgnoreCase)))
        {
            return (Path.GetDirectoryName(Path.GetFullPath(path))!, DatasetFormat.MovieLens);
        }

        return (path, DetectFile(path));
    }

    private static DatasetFormat DetectFile(string path)
    {
        using var lines = new Utf8LineReader(DataFile.OpenRead(path));
        while (lines.TryReadLine(out var line))
        {
            if (!line.Span.Trim(" \t"u8).IsEmpty)
            {
                return DetectJsonLine(line.Span, path, lines.LineNumber);
            }
        }

        throw new DatasetFormatException(path, 0, $"the file is empty; {Expected}");
    }

    private static DatasetFormat DetectJsonLine(ReadOnlySpan<byte> line, string path, long lineNumber)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(line);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    keys.Add(reader.GetString()!);
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            throw new DatasetFormatException(path, lineNumber, $"the first line is not JSON ({ex.Message}); {Expected}", ex);
        }

        if (keys.Contains("reviewerID") && keys.Contains("asin"))
        {
            return DatasetFormat.Amazon2014;
        }

        if (keys.Contains("user_id") && (keys.Contains("parent_asin") || keys.Contains("asin")))
        {
            return DatasetFormat.Amazon2023;
        }

        if (keys.Contains("userId") && keys.Contains("itemId") && keys.Contains("seq"))
        {
            return DatasetFormat.InteractionLog;
        }

        var seen = keys.Count == 0 ? "no JSON object" : "keys " + string.Join(", ", keys.Order(StringComparer.Ordinal));
        throw new DatasetFormatException(path, lineNumber, $"unknown format (found {seen}); {Expected}");
    }

    private static List<Interaction> ReadLog(string path)
    {
        try
        {
            using var stream = DataFile.OpenRead(path);
            return [.. new InteractionLogReader(stream, path).ReadAll().Select(r => r.Interaction)];
        }
        catch (InteractionLogFormatException ex)
        {
            throw new DatasetFormatException(path, ex.LineNumber, ex.Reason, ex);
        }
    }
}
