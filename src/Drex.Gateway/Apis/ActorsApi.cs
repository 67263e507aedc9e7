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

        api.MapGet("/users/{id}/state", GetUserStateAsync)
            .WithName("GetUserState")
            .WithSummary("Gets a user's DReX state vector and bias under the served model; admin only (diagnostics, online-vs-offline checks)")
            .RequireAuthorization(GatewayPolicies.Admin);

        api.MapGet("/items/{id}/state", GetItemStateAsync)
            .WithName("GetItemState")
            .WithSummary("Gets an item's DReX state vector and bias under the served model; admin only")
            .RequireAuthorization(GatewayPolicies.Admin);

        return app;
    }

    public static async Task<Results<Ok<ActorStateDto>, ValidationProblem>> GetUserStateAsync(string id, GrainReferences grains) =>
        InputValidation.CheckId(id) is { } error
            ? ApiProblems.Invalid("id", error)
            : TypedResults.Ok(ActorStateDto.From(await grains.Get<IUserGrain>(id).GetVectorAsync()));

    public static async Task<Results<Ok<ActorStateDto>, ValidationProblem>> GetItemStateAsync(string id, GrainReferences grains) =>
        InputValidation.CheckId(id) is { } error
            ? ApiProblems.Invalid("id", error)
            : TypedResults.Ok(ActorStateDto.From(await grains.Get<IItemGrain>(id).GetVectorAsync()));

    public static async Task<Results<Ok<ActorViewDto>, NotFoundProblem, ValidationProblem>> GetUserAsync(
        string id,
        GrainReferences grains)
    {
        if (InputValidation.CheckId(id) is { } error)
        {
            return ApiProblems.Invalid("id", error);
        }

        var view = await grains.Get<IUserGrain>(id).GetViewAsync();
        return view.Known
            ? TypedResults.Ok(ActorViewDto.From(view))
            : ApiProblems.NotFound("Unknown user.", $"No interaction of user '{id}' has been ingested.");
    }

    public static async Task<Results<Ok<ActorViewDto>, NotFoundProblem, ValidationProblem>> GetItemAsync(
        string id,
        GrainReferences grains)
    {
        if (InputValidation.CheckId(id) is { } error)
        {
            return ApiProblems.Invalid("id", error);
        }

        var view = await grains.Get<IItemGrain>(id).GetViewAsync();
        return view.Known
            ? TypedResults.Ok(ActorViewDto.From(view))
            : ApiProblems.NotFound("Unknown item.", $"No interaction with item '{id}' has been ingested.");
    }
}
