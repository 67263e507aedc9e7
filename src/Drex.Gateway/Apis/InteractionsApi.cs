using Drex.Contracts;
using Drex.Gateway.Errors;
using Drex.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Drex.Gateway.Apis;

/// <summary>Ingestion: one interaction or a batch, validated here, applied exactly once by the ingest grain.</summary>
public static class InteractionsApi
{
    public static IEndpointRouteBuilder MapInteractionsApi(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var api = app.MapGroup("/interactions")
            .WithTags("Interactions")
            .RequireAuthorization(GatewayPolicies.Ingest);

        api.MapPost("/", IngestAsync)
            .WithName("IngestInteraction")
            .WithSummary("Ingests one interaction")
            .WithDescription("Updates the user and the item; returns the rating predicted before the update. A retry with the same id returns the first result with duplicate = true.")
            .WithRequestBodyLimit(options.MaxBodyBytes)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        api.MapPost("/batch", IngestBatchAsync)
            .WithName("IngestInteractionBatch")
            .WithSummary("Ingests a batch of interactions in order")
            .WithDescription($"1 to {options.MaxBatchSize} interactions; any invalid one refuses the whole batch. Results are in request order.")
            .WithRequestBodyLimit(options.MaxBatchBodyBytes)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        if (options.Diagnostics)
        {
            app.MapPost("/diagnostics/noop-interactions", NoOpIngestAsync)
                .WithTags("Diagnostics")
                .RequireAuthorization(GatewayPolicies.Ingest)
                .WithName("IngestInteractionNoOp")
                .WithSummary("Ingestion's path to a no-op grain pair (benchmark ceiling; nothing is stored)")
                .WithRequestBodyLimit(options.MaxBodyBytes);
        }

        return app;
    }

    public static Task<Results<Ok<InteractionResultDto>, ValidationProblem>> IngestAsync(
        InteractionDto interaction, GrainReferences grains, IOptions<GatewayOptions> options, TimeProvider time) =>
        IngestWithAsync(interaction, options.Value, time, request => grains.Get<IIngestGrain>(0).IngestAsync(request));

    public static Task<Results<Ok<InteractionResultDto>, ValidationProblem>> NoOpIngestAsync(
        InteractionDto interaction, GrainReferences grains, IOptions<GatewayOptions> options, TimeProvider time) =>
        IngestWithAsync(interaction, options.Value, time, request => grains.Get<INoOpIngestGrain>(0).IngestAsync(request));

    public static async Task<Results<Ok<InteractionResultDto[]>, ValidationProblem>> IngestBatchAsync(
        InteractionDto?[] interactions,
        GrainReferences grains,
        IOptions<GatewayOptions> options,
        TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        if (interactions.Length == 0 || interactions.Length > options.Value.MaxBatchSize)
        {
            errors["$"] = [$"A batch holds 1 to {options.Value.MaxBatchSize} interactions; this one has {interactions.Length}."];
        }
        else
        {
            for (var i = 0; i < interactions.Length; i++)
            {
                InputValidation.Validate(interactions[i], options.Value, $"[{i}].", errors);
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The batch is not valid; nothing was ingested.");
        }

        var requests = interactions.Select(interaction => InputValidation.ToRequest(interaction!, time)).ToArray();
        var results = await grains.Get<IIngestGrain>(0).IngestBatchAsync(requests);
        return TypedResults.Ok(results.Select(InteractionResultDto.From).ToArray());
    }

    private static async Task<Results<Ok<InteractionResultDto>, ValidationProblem>> IngestWithAsync(
        InteractionDto interaction, GatewayOptions options, TimeProvider time, Func<InteractionRequest, Task<InteractionResult>> ingest)
    {
        var errors = new Dictionary<string, string[]>();
        InputValidation.Validate(interaction, options, "", errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The interaction is not valid.");
        }

        return TypedResults.Ok(InteractionResultDto.From(await ingest(InputValidation.ToRequest(interaction, time))));
    }
}
