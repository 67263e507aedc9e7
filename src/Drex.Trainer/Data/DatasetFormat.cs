namespace Drex.Trainer.Data;

/// <summary>The dataset layouts <see cref="DatasetLoader"/> recognises.</summary>
public enum DatasetFormat
{
    /// <summary>Amazon review JSON lines, 2014 and 2018 releases (reviewerID, asin, overall, reviewText, summary, unixReviewTime).</summary>
    Amazon2014,

    /// <summary>Amazon review JSON lines, 2023 release (user_id, parent_asin/asin, rating, text, title, timestamp in ms).</summary>
    Amazon2023,

    /// <summary>A MovieLens folder: ratings.csv and optional tags.csv; ratings.dat and optional tags.dat; or u.data (each optionally .gz).</summary>
    MovieLens,

    /// <summary>The system's own <see cref="Drex.Model.Data.InteractionLog"/>.</summary>
    InteractionLog,
}
