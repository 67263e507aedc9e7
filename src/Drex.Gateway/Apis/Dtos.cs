using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Drex.Contracts;

namespace Drex.Gateway.Apis;

/// <summary>An interaction as a client posts it.</summary>
public sealed record InteractionDto(
    [property: Required, Description("The user (1-128 printable characters).")]
    string? UserId,
    [property: Required, Description("The item (1-128 printable characters).")]
    string? ItemId,
    [property: Description("The rating, within the configured range (1-5 unless configured otherwise).")]
    double? Rating = null,
    [property: Description("The review text (at most 8,000 characters unless configured otherwise).")]
    string? Review = null,
    [property: Description("The client's id for the interaction: a retry with the same id is applied once. Generated when absent.")]
    string? Id = null,
    [property: Description("When it happened, in Unix seconds; now when absent.")]
    long? Timestamp = null);

/// <summary>What ingesting an interaction did.</summary>
/// <param name="Id">The interaction's id (the client's, or the generated one).</param>
/// <param name="Prediction">The rating predicted from the states before this interaction (null only for a retry whose first prediction was lost in a crash).</param>
/// <param name="ModelVersion">The model version the update ran under.</param>
/// <param name="Duplicate">True when the id had been applied before: nothing changed.</param>
/// <param name="Sequence">The interaction's position in the durable log.</param>
public sealed record InteractionResultDto(string Id, float? Prediction, string ModelVersion, bool Duplicate, long Sequence)
{
    public static InteractionResultDto From(InteractionResult result) =>
        new(result.Id, result.Prediction, result.ModelVersion, result.Duplicate, result.Sequence);
}

/// <summary>A weighted word of a keyword profile.</summary>
public sealed record KeywordDto(string Word, float Weight)
{
    public static KeywordDto From(Keyword keyword) => new(keyword.Word, keyword.Weight);
}

/// <summary>A user's or an item's profile.</summary>
/// <param name="Id">The actor's id.</param>
/// <param name="ModelVersion">The model version its state is in.</param>
/// <param name="Interactions">Interactions applied.</param>
/// <param name="Ratings">Interactions that carried a rating.</param>
/// <param name="Keywords">The keyword profile, strongest first.</param>
/// <param name="PrequentialMae">The mean absolute error of the ratings predicted before each of its rated interactions.</param>
public sealed record ActorViewDto(
    string Id,
    string ModelVersion,
    int Interactions,
    int Ratings,
    KeywordDto[] Keywords,
    double? PrequentialMae)
{
    public static ActorViewDto From(ActorView view) =>
        new(view.Id, view.ModelVersion, view.Interactions, view.Ratings, [.. view.Keywords.Select(KeywordDto.From)], view.PrequentialMae);
}

/// <summary>A word where the user's and the item's profiles meet.</summary>
/// <param name="Score">The geometric mean of the two weights.</param>
public sealed record KeywordMatchDto(string Word, float Score, float UserWeight, float ItemWeight)
{
    public static KeywordMatchDto From(KeywordMatchView match) => new(match.Word, match.Score, match.UserWeight, match.ItemWeight);
}

/// <summary>A predicted rating with its explanation.</summary>
public sealed record PredictionDto(string UserId, string ItemId, float Rating, string ModelVersion, KeywordMatchDto[] Explanation)
{
    public static PredictionDto From(PredictionView view) =>
        new(view.UserId, view.ItemId, view.Rating, view.ModelVersion, [.. view.Explanation.Select(KeywordMatchDto.From)]);
}

/// <summary>A user's top items, best first, each with its explanation.</summary>
public sealed record RecommendationsDto(string UserId, string ModelVersion, PredictionDto[] Items)
{
    public static RecommendationsDto From(RecommendationsView view) =>
        new(view.UserId, view.ModelVersion, [.. view.Items.Select(PredictionDto.From)]);
}

/// <summary>A model version known to the registry.</summary>
/// <param name="WatermarkSequence">The last log sequence the model was trained on.</param>
/// <param name="Active">Whether this version is the one serving.</param>
public sealed record ModelDto(
    string Version,
    DateTimeOffset PublishedAt,
    string Head,
    long WatermarkSequence,
    long TrainedInteractions,
    double? ValidationMae,
    double? ValidationMse,
    bool Active)
{
    public static ModelDto From(ModelInfo info) =>
        new(info.Version, info.PublishedAt, info.Head, info.WatermarkSequence, info.TrainedInteractions,
            info.ValidationMae, info.ValidationMse, info.Active);
}

/// <summary>The version to make active.</summary>
public sealed record ActivateModelDto([property: Required] string? Version);

/// <summary>An actor's numeric DReX state under a model version (its snapshot state when it has no live interaction).</summary>
public sealed record ActorStateDto(string Id, string ModelVersion, float[] State, float Bias)
{
    public static ActorStateDto From(ActorVector vector) => new(vector.Id, vector.ModelVersion, vector.State, vector.Bias);
}
