using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drex.Model.Bundle;
using Drex.Trainer.Baselines;
using Drex.Trainer.Data;
using Drex.Trainer.Evaluation;
using Drex.Trainer.Training;
using Spectre.Console;

namespace Drex.Trainer.Commands;

/// <summary>`evaluate`: every model on the same seeded splits; JSON and a table.</summary>
internal static class EvaluateCommand
{
    private static readonly string[] AllModels = ["global-mean", "bias", "biased-mf", "drex", "drex-mlp"];

    public static Command Create()
    {
        var split = new Option<string>("--split") { Description = "random (80/10/10) or chrono (per-user chronological 80/10/10).", DefaultValueFactory = _ => "random" };
        split.AcceptOnlyFromAmong("random", "chrono");
        var seeds = new Option<int>("--seeds") { Description = "Number of seeds (1..N).", DefaultValueFactory = _ => 5 };
        var output = new Option<string>("--out") { Description = "Where to write the JSON results.", DefaultValueFactory = _ => "results.json" };
        var models = new Option<string>("--models") { Description = "Comma-separated subset of " + string.Join(",", AllModels) + ".", DefaultValueFactory = _ => string.Join(",", AllModels) };
        var dropReviews = new Option<double>("--drop-reviews") { Description = "Fraction of training reviews to remove (seeded).", DefaultValueFactory = _ => 0 };
        var dropRatings = new Option<double>("--drop-ratings") { Description = "Fraction of training ratings to remove (seeded).", DefaultValueFactory = _ => 0 };
        var shared = new Option<bool>("--shared-cells") { Description = "One GRU cell for users and items." };
        var command = new Command("evaluate", "Evaluate DReX, DReX-MLP and baselines on a dataset.")
        {
            CommonOptions.Data, split, seeds, output, models, dropReviews, dropRatings, shared, CommonOptions.KCore, CommonOptions.Cache,
        };
        foreach (var option in CommonOptions.Training)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => Task.FromResult(Run(
            parse.GetValue(CommonOptions.Data)!, parse.GetValue(split)!, parse.GetValue(seeds), parse.GetValue(output)!,
            parse.GetValue(models)!, new Robustness(parse.GetValue(dropReviews), parse.GetValue(dropRatings)), parse.GetValue(shared),
            parse.GetValue(CommonOptions.KCore), parse.GetValue(CommonOptions.Cache), CommonOptions.Trainer(parse), ct)));
        return command;
    }

    private static int Run(
        string path, string splitName, int seedCount, string output, string modelList, Robustness robustness,
        bool sharedCells, int kcore, string? cache, TrainerOptions options, CancellationToken ct)
    {
        var names = modelList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names.Except(AllModels).ToArray();
        if (unknown.Length > 0 || seedCount < 1 || robustness.DropReviews is < 0 or > 1 || robustness.DropRatings is < 0 or > 1)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Invalid arguments:[/] models must be among {string.Join(",", AllModels)} (unknown: {string.Join(",", unknown)}); --seeds >= 1; drop fractions in [0, 1].");
            return 2;
        }

        var total = Stopwatch.StartNew();
        var dataset = CommonOptions.LoadDataset(path, kcore);
        var loadSeconds = total.Elapsed.TotalSeconds;
        // The review encoder (a 90 MB model) is loaded only when a DReX model will read reviews.
        var needsText = names.Any(n => n.StartsWith("drex", StringComparison.Ordinal)) && dataset.Interactions.Any(x => x.HasReview);
        var (library, encoder) = needsText ? CommonOptions.Encode(dataset, cache, ct) : (ReviewLibrary.Empty, "none");
        var encodeSeconds = total.Elapsed.TotalSeconds - loadSeconds;

        var shape = CommonOptions.ModelShape(sharedCells);
        var kind = splitName == "chrono" ? SplitKind.Chronological : SplitKind.Random;
        var seeds = Enumerable.Range(1, seedCount).ToArray();
        Dictionary<string, List<SeedResult>> results = null!;
        AnsiConsole.Progress().Start(ctx =>
        {
            var overall = ctx.AddTask("Models x seeds", maxValue: names.Length * seeds.Length);
            ProgressTask? epochsTask = null;
            var progress = new SyncProgress<EpochReport>(r =>
            {
                epochsTask ??= ctx.AddTask("Epochs", maxValue: options.MaxEpochs);
                epochsTask.Value = r.Epoch;
                epochsTask.Description = $"Epoch {r.Epoch}: train MSE {r.TrainMse:0.0000}, valid MSE {r.ValidMse:0.0000}";
            });
            IRatingModel Create(string name) => name switch
            {
                "global-mean" => new GlobalMean(),
                "bias" => new BiasModel(),
                "biased-mf" => new BiasedMatrixFactorization(),
                "drex" => new DrexRatingModel(RatingHead.Dot, library, options, shape, progress),
                "drex-mlp" => new DrexRatingModel(RatingHead.Mlp, library, options, shape, progress),
                _ => throw new UnreachableException(),
            };
            var experiment = new Experiment(dataset, kind, robustness);
            experiment.Scored += (name, seed, result) =>
            {
                overall.Increment(1);
                AnsiConsole.MarkupLineInterpolated($"seed {seed} {name}: MSE {result.Rating.Mse:0.0000}, MAE {result.Rating.Mae:0.0000}, NDCG@10 {result.Ranking.At(10).Ndcg:0.0000} ({result.FitTime.TotalSeconds:0.0} s)");
                epochsTask?.StopTask();
                epochsTask = null;
            };
            results = experiment.Run(seeds, names.Select(n => (Func<IRatingModel>)(() => Create(n))).ToArray(), ct);
        });

        var settings = new JsonObject
        {
            ["trainer"] = JsonSerializer.SerializeToNode(options),
            ["model"] = JsonSerializer.SerializeToNode(shape),
            ["split_fractions"] = "0.8/0.1/0.1",
            ["kcore"] = kcore,
            ["drop_reviews"] = robustness.DropReviews,
            ["drop_ratings"] = robustness.DropRatings,
            ["encoder"] = encoder,
            ["interactions"] = dataset.Count,
            ["users"] = dataset.UserCount,
            ["items"] = dataset.ItemCount,
            ["relevant_threshold"] = 4,
        };
        var timings = new JsonObject
        {
            ["load_seconds"] = loadSeconds,
            ["encode_seconds"] = encodeSeconds,
            ["total_seconds"] = total.Elapsed.TotalSeconds,
        };
        EvaluationReport.Print(results);
        EvaluationReport.Write(output, EvaluationReport.ToJson(path, splitName, seeds, results, settings, timings));
        AnsiConsole.MarkupLineInterpolated($"Wrote {output} ({total.Elapsed.TotalSeconds:0.0} s in all).");
        return 0;
    }
}
