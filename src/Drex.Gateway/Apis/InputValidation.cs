using Drex.Contracts;

namespace Drex.Gateway.Apis;

/// <summary>Validation at the edge: what a grain would refuse never leaves the gateway.</summary>
public static class InputValidation
{
    public const int MaxIdLength = 128;

    /// <summary>The end of 9999, the last second a <see cref="DateTimeOffset"/> can hold.</summary>
    private const long MaxTimestamp = 253_402_300_799;

    /// <summary>An id: 1-128 characters, no control characters, no leading or trailing whitespace, valid UTF-16.</summary>
    public static string? CheckId(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "Required.";
        }

        if (id.Length > MaxIdLength)
        {
            return $"At most {MaxIdLength} characters.";
        }

        if (string.IsNullOrWhiteSpace(id) || char.IsWhiteSpace(id[0]) || char.IsWhiteSpace(id[^1]))
        {
            return "Must not be blank or start or end with whitespace.";
        }

        return HasInvalidCharacters(id, allowLineBreaksAndTabs: false) ? "Must not contain control characters." : null;
    }

    /// <summary>Validates one interaction; adds its errors under <paramref name="prefix"/> (e.g. "[3].").</summary>
    public static void Validate(InteractionDto? interaction, GatewayOptions options, string prefix, IDictionary<string, string[]> errors)
    {
        if (interaction is null)
        {
            errors[prefix.TrimEnd('.') is { Length: > 0 } p ? p : "$"] = ["An interaction is required."];
            return;
        }

        if (interaction.Id is not null && CheckId(interaction.Id) is { } idError)
        {
            errors[prefix + "id"] = [idError];
        }

        if (CheckId(interaction.UserId) is { } userError)
        {
            errors[prefix + "userId"] = [userError];
        }

        if (CheckId(interaction.ItemId) is { } itemError)
        {
            errors[prefix + "itemId"] = [itemError];
        }

        if (interaction.Rating is { } rating && (!double.IsFinite(rating) || rating < options.RatingMin || rating > options.RatingMax))
        {
            errors[prefix + "rating"] = [$"Must be between {options.RatingMin} and {options.RatingMax}."];
        }

        if (interaction.Review is { } review)
        {
            if (review.Length > options.MaxReviewLength)
            {
                errors[prefix + "review"] = [$"At most {options.MaxReviewLength} characters."];
            }
            else if (HasInvalidCharacters(review, allowLineBreaksAndTabs: true))
            {
                errors[prefix + "review"] = ["Must not contain control characters other than line breaks and tabs."];
            }
        }

        if (interaction.Rating is null && string.IsNullOrWhiteSpace(interaction.Review))
        {
            errors[prefix + "rating"] = ["A rating, a review, or both are required."];
        }

        if (interaction.Timestamp is < 0 or > MaxTimestamp)
        {
            errors[prefix + "timestamp"] = [$"Must be Unix seconds between 0 and {MaxTimestamp}."];
        }
    }

    /// <summary>The contract request: the id generated when absent, the time now when absent, a blank review dropped.</summary>
    public static InteractionRequest ToRequest(InteractionDto interaction, TimeProvider time) =>
        new(
            interaction.Id ?? Guid.NewGuid().ToString("N"),
            interaction.UserId!,
            interaction.ItemId!,
            interaction.Rating is { } rating ? (float)rating : null,
            string.IsNullOrWhiteSpace(interaction.Review) ? null : interaction.Review,
            interaction.Timestamp ?? time.GetUtcNow().ToUnixTimeSeconds());

    private static bool HasInvalidCharacters(string text, bool allowLineBreaksAndTabs)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c) && !(allowLineBreaksAndTabs && c is '\n' or '\r' or '\t'))
            {
                return true;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }
}
