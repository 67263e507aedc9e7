using Drex.Contracts;
using Drex.Gateway.Errors;
using Drex.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Drex.Gateway.Apis;

/// <summary>The model registry: the active version, the history, rollback.</summary>
public static class ModelApi
{
    public static IEndpointRouteBuilder MapModelApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/model")
            .WithTags("Model")
            .RequireAuthorization(GatewayPolicies.Read);

        api.MapGet("/", GetCurrentAsync)
            .WithName("GetModel")
            .WithSummary("Gets the active model version");

        api.MapGet("/versions", GetVersionsAsync)
            .WithName("GetModelVersions")
            .WithSummary("Lists every published model version, newest first");

        api.MapPost("/publish", PublishAsync)
            .WithName("PublishModel")
            .WithSummary("Validates an uploaded bundle and makes it the active version; admin only")
            .WithDescription("The bundle must already be in the model store (the trainer uploads it). A corrupt or mismatched bundle is refused with 422 and the active version keeps serving.")
            .RequireAuthorization(GatewayPolicies.Admin)
            .WithRequestBodyLimit(16 * 1024)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapPost("/activate", ActivateAsync)
            .WithName("ActivateModel")
            .WithSummary("Makes a published model version active (rollback); admin only")
            .RequireAuthorization(GatewayPolicies.Admin)
            .WithRequestBodyLimit(16 * 1024)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        return app;
    }

    public static async Task<Results<Ok<ModelDto>, NotFoundProblem>> GetCurrentAsync(IClusterClient cluster)
    {
        var current = await Registry(cluster).GetCurrentAsync();
        return current is null
            ? ApiProblems.NotFound("No model has been published yet.", "Train a model and publish it to the registry.")
            : TypedResults.Ok(ModelDto.From(current));
    }

    public static async Task<Ok<ModelDto[]>> GetVersionsAsync(IClusterClient cluster)
    {
        var versions = await Registry(cluster).GetVersionsAsync();
        return TypedResults.Ok(versions.Select(ModelDto.From).ToArray());
    }

    public static async Task<Results<Ok<ModelDto>, NotFoundProblem, ValidationProblem>> ActivateAsync(
        ActivateModelDto request,
        IClusterClient cluster)
    {
        if (InputValidation.CheckId(request.Version) is { } error)
        {
            return ApiProblems.Invalid("version", error);
        }

        var registry = Registry(cluster);
        var versions = await registry.GetVersionsAsync();
        if (!versions.Any(v => v.Version == request.Version))
        {
            return ApiProblems.NotFound("Unknown model version.", $"No model version '{request.Version}' has been published.");
        }

        var activated = await registry.ActivateAsync(request.Version!);
        return TypedResults.Ok(ModelDto.From(activated));
    }

    public static async Task<Results<Ok<ModelDto>, ValidationProblem>> PublishAsync(ActivateModelDto request, IClusterClient cluster)
    {
        if (InputValidation.CheckId(request.Version) is { } error)
        {
            return ApiProblems.Invalid("version", error);
        }

        return TypedResults.Ok(ModelDto.From(await Registry(cluster).PublishAsync(request.Version!)));
    }

    private static IModelRegistryGrain Registry(IClusterClient cluster) => cluster.GetGrain<IModelRegistryGrain>(DrexKeys.Registry);
}
