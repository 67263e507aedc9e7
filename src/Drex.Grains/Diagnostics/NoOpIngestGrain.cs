using Drex.Contracts;
using Orleans.Concurrency;

namespace Drex.Grains.Diagnostics;

/// <summary>
/// Ingestion's path with the work taken out (no encoding, no log, no GRU, no storage): validation, one stateless
/// worker and two grain calls in parallel, keyed like the user and the item. The benchmarks' ceiling. Reentrant, as
/// <see cref="IngestGrain"/> is.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class NoOpIngestGrain(GrainReferences grains) : Grain, INoOpIngestGrain
{
    public async Task<InteractionResult> IngestAsync(InteractionRequest request)
    {
        InteractionValidation.Validate(request);
        var update = new ActorUpdate(request.Id, 0, request.ItemId, request.Rating, !string.IsNullOrWhiteSpace(request.Review), [], [], "noop");
        var user = grains.Get<INoOpActorGrain>($"user/{request.UserId}").ApplyAsync(update);
        var item = grains.Get<INoOpActorGrain>($"item/{request.ItemId}").ApplyAsync(update with { Counterpart = request.UserId });
        await Task.WhenAll(user, item);
        return new InteractionResult(request.Id, null, "noop", Duplicate: false, Sequence: 0);
    }
}

/// <summary>Answers an update without doing anything (one activation per user or item, like the real actors).</summary>
public sealed class NoOpActorGrain : Grain, INoOpActorGrain
{
    private static readonly Task<ActorUpdateResult> Done = Task.FromResult(new ActorUpdateResult(UpdateStatus.Applied, [], 0f, "noop", null));

    public Task<ActorUpdateResult> ApplyAsync(ActorUpdate update) => Done;
}
