namespace Drex.Model.Data;

/// <summary>
/// One user-item interaction: a rating and/or a review text at a point in time. This is the unit the trainer reads
/// from datasets and the system appends to its interaction log.
/// </summary>
/// <param name="UserId">The user's id as the source spells it.</param>
/// <param name="ItemId">The item's id as the source spells it.</param>
/// <param name="Rating">The rating, or null when the interaction carries none.</param>
/// <param name="Review">The review text, or null when the interaction carries none.</param>
/// <param name="Timestamp">Unix seconds.</param>
/// <param name="Id">A stable id (the log's interaction id); null for dataset rows.</param>
public sealed record Interaction(string UserId, string ItemId, float? Rating, string? Review, long Timestamp, string? Id = null)
{
    public bool HasRating => Rating is not null;

    public bool HasReview => !string.IsNullOrWhiteSpace(Review);
}
