using System.Globalization;
using Drex.Model.Data;

namespace Drex.Trainer.Data;

/// <summary>
/// Streams a MovieLens folder: <c>ratings.csv</c> (userId,movieId,rating,timestamp) and, when present,
/// <c>tags.csv</c> (userId,movieId,tag,timestamp), each plain or gzip, columns found by header name.
/// <list type="bullet">
/// <item>Every rating row becomes an interaction; its review is the pair's tags in timestamp order (ties in file
/// order), joined with ", ", or null when the pair has no tags.</item>
/// <item>Tags on a pair the user never rated become a review-only interaction (rating null), stamped with the pair's
/// latest tag time, emitted after all ratings in order of the pair's first tag row. DReX accepts review-only
/// interactions; rating models ignore them.</item>
/// </list>
/// Unparseable numbers, wrong column counts, a missing header column or broken quoting throw
/// <see cref="DatasetFormatException"/> with the line number. Rows with an empty user or movie id, and blank tags,
/// are skipped and counted.
/// </summary>
public static class MovieLensReader
{
    private const string RatingsFile = "ratings.csv";
    private const string TagsFile = "tags.csv";

    /// <summary>True when <paramref name="folder"/> holds ratings.csv or ratings.csv.gz.</summary>
    public static bool IsMovieLensFolder(string folder) =>
        Directory.Exists(folder) && DataFile.FindInFolder(folder, RatingsFile) is not null;

    /// <summary>Streams the folder's interactions: ratings in file order, then review-only tag pairs.</summary>
    public static IEnumerable<Interaction> Read(string folder, DatasetReadCounters? counters = null)
    {
        var ratings = Directory.Exists(folder) ? DataFile.FindInFolder(folder, RatingsFile) : null;
        if (ratings is null)
        {
            throw new FileNotFoundException($"No {RatingsFile} or {RatingsFile}.gz in MovieLens folder {folder}", folder);
        }

        return ReadFolder(ratings, DataFile.FindInFolder(folder, TagsFile), counters ?? new DatasetReadCounters());
    }

    private static IEnumerable<Interaction> ReadFolder(string ratingsPath, string? tagsPath, DatasetReadCounters counters)
    {
        counters.Rows = 0;
        counters.Skipped = 0;
        var pool = new StringPool();
        var tags = tagsPath is null ? new() : ReadTags(tagsPath, pool, counters);
        var rated = new HashSet<(string, string)>();

        using (var csv = new CsvReader(DataFile.OpenRead(ratingsPath), ratingsPath))
        {
            var columns = ReadHeader(csv, ratingsPath, ["userId", "movieId", "rating", "timestamp"], out var width);
            while (csv.ReadRecord())
            {
                if (csv.IsBlank)
                {
                    continue;
                }

                counters.Rows++;
                CheckFieldCount(csv, width, ratingsPath);
                var user = csv[columns[0]].Trim();
                var movie = csv[columns[1]].Trim();
                if (user.IsEmpty || movie.IsEmpty)
                {
                    counters.Skipped++;
                    continue;
                }

                var rating = ParseRating(csv[columns[2]], ratingsPath, csv.LineNumber);
                var timestamp = ParseTimestamp(csv[columns[3]], ratingsPath, csv.LineNumber);
                var key = (pool.Intern(user), pool.Intern(movie));
                string? review = null;
                if (tags.TryGetValue(key, out var pairTags))
                {
                    review = pairTags.Review;
                    rated.Add(key);
                }

                yield return new Interaction(key.Item1, key.Item2, rating, review, timestamp);
            }
        }

        foreach (var (key, pairTags) in tags)
        {
            if (!rated.Contains(key))
            {
                yield return new Interaction(key.Item1, key.Item2, null, pairTags.Review, pairTags.LatestTimestamp);
            }
        }
    }

    /// <summary>Reads tags grouped by pair, pairs in order of their first tag row.</summary>
    private static OrderedDictionary<(string, string), PairTags> ReadTags(string path, StringPool pool, DatasetReadCounters counters)
    {
        var tags = new OrderedDictionary<(string, string), PairTags>();
        using var csv = new CsvReader(DataFile.OpenRead(path), path);
        var columns = ReadHeader(csv, path, ["userId", "movieId", "tag", "timestamp"], out var width);
        while (csv.ReadRecord())
        {
            if (csv.IsBlank)
            {
                continue;
            }

            counters.Rows++;
            CheckFieldCount(csv, width, path);
            var user = csv[columns[0]].Trim();
            var movie = csv[columns[1]].Trim();
            var tag = csv[columns[2]].Trim();
            if (user.IsEmpty || movie.IsEmpty || tag.IsEmpty)
            {
                counters.Skipped++;
                continue;
            }

            var timestamp = ParseTimestamp(csv[columns[3]], path, csv.LineNumber);
            var key = (pool.Intern(user), pool.Intern(movie));
            if (!tags.TryGetValue(key, out var pairTags))
            {
                tags.Add(key, pairTags = new PairTags());
            }

            pairTags.Add(tag.ToString(), timestamp);
        }

        return tags;
    }

    private static int[] ReadHeader(CsvReader csv, string path, string[] names, out int width)
    {
        var expected = string.Join(',', names);
        if (!csv.ReadRecord())
        {
            throw new DatasetFormatException(path, 1, $"empty file; expected the header {expected}");
        }

        var columns = new int[names.Length];
        for (var n = 0; n < names.Length; n++)
        {
            columns[n] = -1;
            for (var f = 0; f < csv.FieldCount && columns[n] < 0; f++)
            {
                if (csv[f].Trim().Equals(names[n], StringComparison.OrdinalIgnoreCase))
                {
                    columns[n] = f;
                }
            }

            if (columns[n] < 0)
            {
                throw new DatasetFormatException(path, csv.LineNumber, $"the header has no {names[n]} column; expected {expected}");
            }
        }

        width = csv.FieldCount;
        return columns;
    }

    private static void CheckFieldCount(CsvReader csv, int width, string path)
    {
        if (csv.FieldCount != width)
        {
            throw new DatasetFormatException(path, csv.LineNumber, $"expected {width} fields as in the header, found {csv.FieldCount}");
        }
    }

    private static float ParseRating(ReadOnlySpan<char> text, string path, long line) =>
        float.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
            ? value
            : throw new DatasetFormatException(path, line, $"rating \"{text}\" is not a number");

    private static long ParseTimestamp(ReadOnlySpan<char> text, string path, long line) =>
        long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new DatasetFormatException(path, line, $"timestamp \"{text}\" is not an integer");

    private sealed class PairTags
    {
        private readonly List<(long Timestamp, string Tag)> _tags = [];

        public long LatestTimestamp { get; private set; } = long.MinValue;

        // OrderBy is stable, so tags with equal timestamps keep their file order.
        public string Review => field ??= string.Join(", ", _tags.OrderBy(t => t.Timestamp).Select(t => t.Tag));

        public void Add(string tag, long timestamp)
        {
            _tags.Add((timestamp, tag));
            LatestTimestamp = Math.Max(LatestTimestamp, timestamp);
        }
    }
}
