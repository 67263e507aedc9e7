using System.Text.Json;
using Drex.Model.Data;

namespace Drex.Trainer.Demo;

/// <summary>
/// A clearly labelled synthetic dataset with planted tastes and review words, for demos and for tests that need
/// ground truth: every item belongs to one genre with its own vocabulary; every user loves one genre; ratings are
/// high where taste and genre match and low otherwise, and reviews mention the item's genre words.
/// </summary>
internal static class DemoDataset
{
    /// <summary>Genres and their planted words: what keyword profiles should surface.</summary>
    public static readonly IReadOnlyList<(string Genre, string[] Words)> Genres =
    [
        ("guitar", ["fretboard", "humbucker", "strings", "tremolo"]),
        ("drums", ["snare", "cymbal", "drumsticks", "kickdrum"]),
        ("keyboard", ["synthesizer", "keybed", "arpeggiator", "sustain"]),
        ("studio", ["microphone", "preamp", "condenser", "headphones"]),
    ];

    // Generic wording varies a lot in real reviews; the planted genre words are what repeats.
    private static readonly string[] Praise =
    [
        "Really happy with the", "Great value for the", "Love how the", "Impressed by the", "Delighted with the",
        "Excellent quality on the", "Cannot fault the", "Thrilled about the", "Wonderful feel to the", "Superb build on the",
    ];

    private static readonly string[] Complaint =
    [
        "Disappointed with the", "Not impressed by the", "Regret buying the", "Returned it because the", "Annoyed by the",
        "Cheap feel to the", "Frustrated with the", "Poor build on the", "Unhappy about the", "Let down by the",
    ];

    private static readonly string[] Filler =
    [
        "it arrived quickly", "the packaging was fine", "would tell a friend", "works as described", "shipping took a week",
        "my teacher agreed", "bought it for practice", "used it at a gig", "gift for my nephew", "seller answered emails",
        "box was dented", "instructions were clear", "compared several brands", "second purchase here", "price went down later",
        "fits my setup",
    ];

    /// <summary>The genre index planted for a user or an item id.</summary>
    public static int GenreOf(string id) => int.Parse(id[(id.LastIndexOf('g') + 1)..]);

    /// <summary>Generates interactions (all with rating and review), oldest first, deterministic for a seed.</summary>
    public static List<Interaction> Generate(int users, int items, int perUser, int seed)
    {
        var random = new Random(seed);
        var interactions = new List<Interaction>();
        var time = 1_600_000_000L;
        var userIds = Enumerable.Range(0, users).Select(u => $"demo-user-{u}-g{u % Genres.Count}").ToArray();
        var itemIds = Enumerable.Range(0, items).Select(i => $"demo-item-{i}-g{i % Genres.Count}").ToArray();
        foreach (var round in Enumerable.Range(0, perUser))
        {
            foreach (var user in userIds)
            {
                // Users mostly pick items of their own genre, sometimes others (so the model sees contrast).
                var own = random.NextDouble() < 0.7;
                var candidates = itemIds.Where(i => (GenreOf(i) == GenreOf(user)) == own).ToArray();
                var item = candidates[random.Next(candidates.Length)];
                var match = GenreOf(item) == GenreOf(user);
                var rating = Math.Clamp((match ? 4.6 : 2.2) + (random.NextDouble() - 0.5) * 1.6, 1, 5);
                var words = Genres[GenreOf(item)].Words.OrderBy(_ => random.Next()).Take(2).ToArray();
                var openers = match ? Praise : Complaint;
                var opener = openers[random.Next(openers.Length)];
                var review = $"{opener} {words[0]} and the {words[1]}; {Filler[random.Next(Filler.Length)]}.";
                interactions.Add(new Interaction(user, item, (float)Math.Round(rating), review, time += 3_600, $"demo-{round}-{user}"));
            }
        }

        return interactions;
    }

    /// <summary>Writes interactions as Amazon 2014 review JSON lines (so every reader and tool can take them).</summary>
    public static void WriteAmazonJson(string path, IEnumerable<Interaction> interactions)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = new StreamWriter(path);
        foreach (var x in interactions)
        {
            writer.WriteLine(JsonSerializer.Serialize(new
            {
                reviewerID = x.UserId,
                asin = x.ItemId,
                overall = x.Rating,
                reviewText = x.Review,
                summary = "SYNTHETIC DEMO REVIEW",
                unixReviewTime = x.Timestamp,
            }));
        }
    }
}
