using Drex.Contracts;
using Drex.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Drex.Gateway.Apis;

/// <summary>Predictions and top-k recommendations, each with its explanation.</summary>
public static class RecommendationsApi
{
    public const int MaxK = 100;

    public static IEndpointRouteBuilder MapRecommendationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/users/{id}")
            .WithTags("Recommendations")
            .RequireAuthorization(GatewayPolicies.Read)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapGet("/recommendations", RecommendAsync)
            .WithName("GetRecommendations")
            .WithSummary($"Gets the user's top k (1-{MaxK}) items not yet rated, each with its explanation");

        api.MapGet("/predictions/{itemId}", PredictAsync)
            .WithName("GetPrediction")
            .WithSummary("Predicts the user's rating of an item, with the explanation");

        return app;
    }

    public static async Task<Results<Ok<RecommendationsDto>, ValidationProblem>> RecommendAsync(
        string id,
        GrainReferences grains,
        int k = 10)
    {
        if (InputValidation.CheckId(id) is { } error)
        {
            return ApiProblems.Invalid("id", error);
        }

        if (k is < 1 or > MaxK)
        {
            return ApiProblems.Invalid("k", $"Must be between 1 and {MaxK}.");
        }

        var view = await grains.Get<IQueryGrain>(0).RecommendAsync(id, k);
        return TypedResults.Ok(RecommendationsDto.From(view));
    }

    public static async Task<Results<Ok<PredictionDto>, ValidationProblem>> PredictAsync(
        string id,
        string itemId,
        GrainReferences grains)
    {
        var errors = new Dictionary<string, string[]>();
        if (InputValidation.CheckId(id) is { } userError)
        {
            errors["id"] = [userError];
        }

        if (InputValidation.CheckId(itemId) is { } itemError)
        {
            errors["itemId"] = [itemError];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var view = await grains.Get<IQueryGrain>(0).PredictAsync(id, itemId);
        return TypedResults.Ok(PredictionDto.From(view));
    }
}
