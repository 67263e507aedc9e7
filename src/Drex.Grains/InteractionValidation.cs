using Drex.Contracts;

namespace Drex.Grains;

/// <summary>Defence in depth behind the gateway's validation: an invalid interaction never reaches an actor.</summary>
public static class InteractionValidation
{
    public const int MaxIdLength = 128;
    /// <summary>The hard ceiling; the gateway enforces its own, configurable, limit at or below it.</summary>
    public const int MaxReviewLength = 32_000;

    public static void Validate(InteractionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckId(request.Id, "id");
        CheckId(request.UserId, "userId");
        CheckId(request.ItemId, "itemId");
        if (request.Rating is { } r && !float.IsFinite(r))
        {
            throw new ArgumentException("The rating must be a finite number.");
        }

        if (request.Review is { Length: > MaxReviewLength })
        {
            throw new ArgumentException($"The review is longer than {MaxReviewLength} characters.");
        }

        if (request.Rating is null && string.IsNullOrWhiteSpace(request.Review))
        {
            throw new ArgumentException("An interaction needs a rating, a review, or both.");
        }
    }

    private static void CheckId(string? id, string name)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > MaxIdLength || id.Any(char.IsControl))
        {
            throw new ArgumentException($"'{name}' must be 1-{MaxIdLength} printable characters.");
        }
    }
}
