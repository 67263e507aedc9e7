using System.Globalization;
using Drex.Model.Data;

namespace Drex.Trainer.Data;

/// <summary>
/// Streams a MovieLens folder in any of the layouts GroupLens publishes, each file plain or gzip:
/// <list type="bullet">
/// <item><c>ratings.csv</c> (userId,movieId,rating,timestamp) and optional <c>tags.csv</c> (userId,movieId,tag,timestamp),
/// RFC 4180, columns found by header name (ml-latest, ml-20m and later);</item>
/// <item><c>ratings.dat</c> and optional <c>tags.dat</c>, <c>UserID::MovieID::Rating|Tag::Timestamp</c> without a
/// header (ml-1m, ml-10m); a tag may itself hold <c>::</c>;</item>
/// <item><c>u.data</c>, tab-separated <c>user item rating timestamp</c> without a header (ml-100k).</item>
/// </list>
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
    /// <summary>The layouts, in the order a folder is checked for them.</summary>
    private static readonly Layout[] Layouts =
    [
        new("ratings.csv", "tags.csv", Header: true),
        new("ratings.dat", "tags.dat", Header: false, Separator: "::"),
        new("u.data", null, Header: false, Separator: "\t"),
    ];

    /// <summary>The file names that make a folder a MovieLens folder (each also as .gz).</summary>
    public static IEnumerable<string> RatingsFiles => Layouts.Select(l => l.Ratings);

    /// <summary>True when <paramref name="folder"/> holds one of the layouts' ratings files.</summary>
    public static bool IsMovieLensFolder(string folder) => Directory.Exists(folder) && Find(folder) is not null;

    /// <summary>Streams the folder's interactions: ratings in file order, then review-only tag pairs.</summary>
    public static IEnumerable<Interaction> Read(string folder, DatasetReadCounters? counters = null)
    {
        var (layout, ratings) = (Directory.Exists(folder) ? Find(folder) : null)
            ?? throw new FileNotFoundException(
                $"No MovieLens ratings file ({string.Join(", ", RatingsFiles)}, plain or .gz) in folder {folder}", folder);
        var tags = layout.Tags is null ? null : DataFile.FindInFolder(folder, layout.Tags);
        return ReadFolder(layout, ratings, tags, counters ?? new DatasetReadCounters());
    }

    private static (Layout Layout, string Ratings)? Find(string folder)
    {
        foreach (var layout in Layouts)
        {
            if (DataFile.FindInFolder(folder, layout.Ratings) is { } ratings)
            {
                return (layout, ratings);
            }
        }

        return null;
    }

    private static IEnumerable<Interaction> ReadFolder(Layout layout, string ratingsPath, string? tagsPath, DatasetReadCounters counters)
    {
        counters.Rows = 0;
        counters.Skipped = 0;
        var pool = new StringPool();
        var tags = tagsPath is null ? new() : ReadTags(layout, tagsPath, pool, counters);
        var rated = new HashSet<(string, string)>();

        using (var csv = layout.Open(ratingsPath))
        {
            var columns = layout.Columns(csv, ratingsPath, ["userId", "movieId", "rating", "timestamp"], out var width);
            while (csv.ReadRecord())
            {
                if (csv.IsBlank)
                {
                    continue;
                }

                counters.Rows++;
                layout.CheckFieldCount(csv, width, ratingsPath);
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
    private static OrderedDictionary<(string, string), PairTags> ReadTags(Layout layout, string path, StringPool pool, DatasetReadCounters counters)
    {
        var tags = new OrderedDictionary<(string, string), PairTags>();
        using var csv = layout.Open(path);
        var columns = layout.Columns(csv, path, ["userId", "movieId", "tag", "timestamp"], out var width);
        while (csv.ReadRecord())
        {
            if (csv.IsBlank)
            {
                continue;
            }

            counters.Rows++;
            layout.CheckFieldCount(csv, width, path);
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

    /// <summary>
    /// One MovieLens layout: its file names, and either an RFC 4180 header naming the columns or fixed columns
    /// (userId, movieId, rating or tag, timestamp) split by <paramref name="Separator"/>, the third free to hold it.
    /// </summary>
    private sealed record Layout(string Ratings, string? Tags, bool Header, string Separator = ",")
    {
        private const int Fields = 4;

        public IRecordReader Open(string path) =>
            Header ? new CsvReader(DataFile.OpenRead(path), path) : new SeparatedReader(DataFile.OpenRead(path), Separator, Fields, freeField: 2);

        /// <summary>Where each of <paramref name="names"/> is in a record, and how many fields a record has.</summary>
        public int[] Columns(IRecordReader records, string path, string[] names, out int width)
        {
            width = Fields;
            if (!Header)
            {
                return [0, 1, 2, 3];
            }

            var expected = string.Join(',', names);
            if (!records.ReadRecord())
            {
                throw new DatasetFormatException(path, 1, $"empty file; expected the header {expected}");
            }

            var columns = new int[names.Length];
            for (var n = 0; n < names.Length; n++)
            {
                columns[n] = -1;
                for (var f = 0; f < records.FieldCount && columns[n] < 0; f++)
                {
                    if (records[f].Trim().Equals(names[n], StringComparison.OrdinalIgnoreCase))
                    {
                        columns[n] = f;
                    }
                }

                if (columns[n] < 0)
                {
                    throw new DatasetFormatException(path, records.LineNumber, $"the header has no {names[n]} column; expected {expected}");
                }
            }

            width = records.FieldCount;
            return columns;
        }

        public void CheckFieldCount(IRecordReader records, int width, string path)
        {
            if (records.FieldCount != width)
            {
                var separator = Separator == "\t" ? "tab" : $"'{Separator}'";
                throw new DatasetFormatException(path, records.LineNumber, Header
                    ? $"expected {width} fields as in the header, found {records.FieldCount}"
                    : $"expected {width} {separator}-separated fields (user, movie, rating or tag, timestamp), found {records.FieldCount}");
            }
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
