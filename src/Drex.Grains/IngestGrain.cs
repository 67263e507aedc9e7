using System.Diagnostics;
using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Model.Keywords;
using Drex.Model.Runtime;
using Drex.Model.Text;
using Orleans.Concurrency;

namespace Drex.Grains;

/// <summary>
/// Ingests interactions on the silo that receives them: encodes the review once (micro-batched per silo), fuses
/// the feature once under one model version, appends to the durable log (batched per silo), then updates the user
/// and the item in parallel, each from its old state. The prediction from those old states is the prequential
/// prediction.
/// <para>
/// Reentrant: an ingest call spends most of its time waiting (on the encoder, the log's group commit, the actors'
/// writes), and the grain keeps no state of its own. A stateless worker that is not reentrant runs one call at a time
/// per activation, and Orleans keeps at most one activation per core, so a 2-core silo had only two interactions in
/// flight: the log, the encoder and the actors' group commits never saw more than two at once to batch.
/// </para>
/// </summary>
[StatelessWorker, Reentrant]
public sealed class IngestGrain(ModelHost models, ReviewEncodingService encoder, LogAppender log, GrainReferences grains, DrexMetrics metrics)
    : Grain, IIngestGrain
{
    private const int MaxVersionRetries = 3;

    public async Task<InteractionResult> IngestAsync(InteractionRequest request) => (await IngestBatchAsync([request]))[0];

    public async Task<InteractionResult[]> IngestBatchAsync(InteractionRequest[] requests)
    {
        foreach (var request in requests)
        {
            InteractionValidation.Validate(request);
        }

        var watch = Stopwatch.StartNew();
        // Nothing is logged while there is no model to apply it with (NoModelException: 503 at the gateway).
        await models.GetCurrentAsync();
        var reviews = await Task.WhenAll(requests.Select(r => EncodeAsync(r.Review)));
        var sequences = await log.AppendAsync(requests);

        // Waves as in t-batching: interactions sharing no user or item run in parallel; an actor's interactions
        // keep the order given.
        var results = new InteractionResult[requests.Length];
        foreach (var wave in Waves(requests))
        {
            await Task.WhenAll(wave.Select(async k => results[k] = await ApplyAsync(requests[k], reviews[k], sequences[k], watch)));
        }

        return results;
    }

    private async Task<InteractionResult> ApplyAsync(InteractionRequest request, EncodedText? review, long sequence, Stopwatch watch)
    {
        for (var attempt = 0; ; attempt++)
        {
            var model = await models.GetCurrentAsync();
            var fused = model.Runtime.Encode(new InteractionInput(review?.Vectors ?? [], review?.Length ?? 0, request.Rating));
            var keywords = review is null
                ? []
                : KeywordExtractor.Extract(review.Pieces, fused.Attention, model.Vocabulary).Select(k => new Keyword(k.Word, k.Weight)).ToArray();
            var update = new ActorUpdate(request.Id, sequence, request.ItemId, request.Rating, review is not null, fused.Feature, keywords, model.Version);
            var user = grains.Get<IUserGrain>(request.UserId);
            var item = grains.Get<IItemGrain>(request.ItemId);
            var userTask = user.ApplyAsync(update);
            var itemTask = item.ApplyAsync(update with { Counterpart = request.UserId });
            var (u, i) = (await userTask, await itemTask);
            if (u.Status == UpdateStatus.VersionMismatch || i.Status == UpdateStatus.VersionMismatch)
            {
                // A model swap is in flight: the actors' silos serve another version than this one. Catch up, recompute.
                if (attempt >= MaxVersionRetries)
                {
                    throw new InvalidOperationException($"Interaction {request.Id}: model versions did not settle (this silo {model.Version}, actors {u.ModelVersion}/{i.ModelVersion}); retry.");
                }

                await models.RefreshAsync();
                continue;
            }

            if (u.Status == UpdateStatus.Duplicate && i.Status == UpdateStatus.Duplicate)
            {
                metrics.Duplicate();
                return new InteractionResult(request.Id, u.RecordedPrediction, u.ModelVersion, Duplicate: true, sequence);
            }

            // Where only one side had applied it before (a retry after a partial failure), its stored state stands in.
            var prediction = model.Runtime.Predict(u.PreviousState, u.Bias, i.PreviousState, i.Bias);
            float? error = request.Rating is { } r ? Math.Abs(prediction - r) : null;
            await Task.WhenAll(user.RecordPredictionAsync(request.Id, prediction, error), item.RecordPredictionAsync(request.Id, prediction, error));
            metrics.Applied(watch.Elapsed, error, model.Version);
            return new InteractionResult(request.Id, prediction, model.Version, Duplicate: false, sequence);
        }
    }

    private async Task<EncodedText?> EncodeAsync(string? review) =>
        string.IsNullOrWhiteSpace(review) ? null : await encoder.EncodeAsync(review);

    private static List<List<int>> Waves(InteractionRequest[] requests)
    {
        var lastOfUser = new Dictionary<string, int>(StringComparer.Ordinal);
        var lastOfItem = new Dictionary<string, int>(StringComparer.Ordinal);
        var waves = new List<List<int>>();
        for (var k = 0; k < requests.Length; k++)
        {
            var wave = Math.Max(lastOfUser.GetValueOrDefault(requests[k].UserId, -1), lastOfItem.GetValueOrDefault(requests[k].ItemId, -1)) + 1;
            if (wave == waves.Count)
            {
                waves.Add([]);
            }

            waves[wave].Add(k);
            lastOfUser[requests[k].UserId] = wave;
            lastOfItem[requests[k].ItemId] = wave;
        }

        return waves;
    }
}
