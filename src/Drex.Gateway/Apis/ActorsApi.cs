using Drex.Contracts;
using Drex.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Drex.Gateway.Apis;

/// <summary>Users and items: keyword profile, counts, model version, live error.</summary>
public static class ActorsApi
{
    public static IEndpointRouteBuilder MapActorsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/")
            .WithTags("Users and items")
            .RequireAuthorization(GatewayPolicies.Read);

        api.MapGet("/users/{id}", GetUserAsync)
            .WithName("GetUser")
            .WithSummary("Gets a user's keyword profile, counts, model version and prequential MAE");

        api.MapGet("/items/{id}", GetItemAsync)
            .WithName("GetItem")
            .WithSummary("Gets an item's keyword profile, counts, model version and prequential MAE");

        return app;
    }

    public static async Task<Results<Ok<ActorViewDto>, NotFoundProblem, ValidationProblem>> GetUserAsync(
        string id,
        IClusterClient cluster)
    {
        if (InputValidation.CheckId(id) is { } error)
        {
            return ApiProblems.Invalid("id", error);
        }

        var view = await cluster.GetGrain<IUserGrain>(id).GetViewAsync();
        return view.Known
            ? TypedResults.Ok(ActorViewDto.From(view))
            : ApiProblems.NotFound("Unknown user.", $"No interaction of user '{id}' has been ingested.");
    }

    public static async Task<Results<Ok<ActorViewDto>, NotFoundProblem, ValidationProblem>> GetItemAsync(
        string id,
        IClusterClient cluster)
    {
        if (InputValidation.CheckId(id) is { } error)
        {
            return ApiProblems.Invalid("id", error);
        }

        var view = await cluster.GetGrain<IItemGrain>(id).GetViewAsync();
        return view.Known
            ? TypedResults.Ok(ActorViewDto.From(view))
            : ApiProblems.NotFound("Unknown item.", $"No interaction with item '{id}' has been ingested.");
    }
}
