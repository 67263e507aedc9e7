using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Drex.Model.Bundle;
using Drex.Model.Data;
using Drex.Trainer.Data;
using Drex.Trainer.Training;
using Spectre.Console;

namespace Drex.Trainer.Commands;

/// <summary>`train`: trains DReX on a dataset or the system's interaction log and writes a model bundle folder.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Bundle folder to write.", Required = true };
        var head = new Option<string>("--head") { Description = "Served head: dot (DReX) or mlp (DReX-MLP).", DefaultValueFactory = _ => "dot" };
        head.AcceptOnlyFromAmong("dot", "mlp");
        var holdout = new Option<string>("--holdout")
        {
            Description = "none: train on everything (validation = each user's newest 10%, replayed into the snapshot afterwards); "
                + "random|chrono: hold out the 80/10/10 test split and write it, with the offline predictions, to <out>.offline/ for online-vs-offline checks.",
            DefaultValueFactory = _ => "none",
        };
        holdout.AcceptOnlyFromAmong("none", "random", "chrono");
        var snapshot = new Option<string>("--snapshot")
        {
            Description = "end: actor states after the training interactions (serve from here); start: per-id starting states, so replaying the training interactions rebuilds the end states.",
            DefaultValueFactory = _ => "end",
        };
        snapshot.AcceptOnlyFromAmong("end", "start");
        var fromLog = new Option<bool>("--from-log") { Description = "Train on the running system's interaction log (its storage, see --storage-*) instead of --data." };
        var publish = new Option<bool>("--publish") { Description = "Upload the bundle to the system's storage and publish it through the gateway." };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation and splits.", DefaultValueFactory = _ => 1 };
        var shared = new Option<bool>("--shared-cells") { Description = "One GRU cell for users and items." };
        var command = new Command("train", "Train DReX and write a model bundle.")
        {
            CommonOptions.OptionalData, fromLog, publish, output, head, holdout, snapshot, seed, shared, CommonOptions.KCore,
            CommonOptions.Cache,
        };
        foreach (var option in CommonOptions.Training.Concat(SystemConnection.All))
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            if ((result.GetValue(CommonOptions.OptionalData) is null) == !result.GetValue(fromLog))
            {
                result.AddError("Give exactly one of --data PATH and --from-log.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            await using var system = parse.GetValue(fromLog) || parse.GetValue(publish) ? SystemConnection.Open(parse) : null;
            var request = new TrainRequest(
                parse.GetValue(CommonOptions.OptionalData), parse.GetValue(output)!,
                parse.GetValue(head) == "mlp" ? RatingHead.Mlp : RatingHead.Dot, parse.GetValue(holdout)!,
                parse.GetValue(snapshot) == "start" ? SnapshotPoint.Start : SnapshotPoint.End, parse.GetValue(seed),
                parse.GetValue(shared), parse.GetValue(CommonOptions.KCore),
                CommonOptions.Trainer(parse),
                parse.GetValue(CommonOptions.Cache));
            var bundle = await RunAsync(request, system, ct);
            AnsiConsole.MarkupLineInterpolated($"Wrote bundle {bundle.Version} to {request.Output}");
            if (parse.GetValue(publish))
            {
                await system!.PublishAsync(bundle, ct);
                AnsiConsole.MarkupLineInterpolated($"Published {bundle.Version}");
            }

            return 0;
        });
        return command;
    }

    internal sealed record TrainRequest(
        string? Data, string Output, RatingHead Head, string Holdout, SnapshotPoint Snapshot, int Seed, bool SharedCells,
        int KCore, TrainerOptions Options, string? Cache);

    /// <summary>Trains and writes the bundle (and, with a holdout, the offline reference next to it).</summary>
    internal static async Task<ModelBundle> RunAsync(TrainRequest request, SystemConnection? system, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var lastSequence = -1L;
        Dataset dataset;
        if (request.Data is not null)
        {
            dataset = CommonOptions.LoadDataset(request.Data, request.KCore);
        }
        else
        {
            var records = new List<InteractionLogRecord>();
            await foreach (var record in system!.Log.ReadAsync(-1, ct))
            {
                records.Add(record);
            }

            if (records.Count == 0)
            {
                throw new InvalidOperationException("The interaction log is empty: nothing to train on.");
            }

            lastSequence = records[^1].Seq;
            dataset = Dataset.Build(records.Select(r => r.Interaction), new DatasetOptions(Deduplicate: true, KCore: request.KCore));
            AnsiConsole.MarkupLineInterpolated($"Read {records.Count} log records up to sequence {lastSequence}: {dataset.Count} interactions, {dataset.UserCount} users, {dataset.ItemCount} items");
        }

        var (library, encoder) = CommonOptions.Encode(dataset, request.Cache, ct);
        var split = request.Holdout switch
        {
            "random" => DatasetSplit.Random(dataset, request.Seed),
            "chrono" => DatasetSplit.Chronological(dataset),
            _ => DatasetSplit.Chronological(dataset, new SplitFractions(0.9, 0.1, 0.0)),
        };
        var model = new DrexRatingModel(request.Head, library, request.Options, CommonOptions.ModelShape(request.SharedCells),
            new SyncProgress<EpochReport>(r => AnsiConsole.MarkupLineInterpolated(
                $"epoch {r.Epoch}: train MSE {r.TrainMse:0.0000}, valid MSE {r.ValidMse:0.0000}, valid MAE {r.ValidMae:0.0000}{(r.Best ? " (best)" : "")} in {r.Elapsed.TotalSeconds:0.0} s")));
        model.Fit(dataset, split.Train, split.Validation, request.Seed);
        var data = model.Data;
        var (validMse, validMae) = model.Trained.Evaluate(split.Validation);
        var validation = new ValidationMetrics(validMae, Math.Sqrt(validMse), validMse, split.Validation.Count(data.HasRating));

        // Everything the model should know goes into the snapshot: with no holdout, validation interactions too.
        var known = request.Holdout == "none" ? split.Train.Concat(split.Validation).Order().ToArray() : split.Train.ToArray();
        var trainer = new DrexTrainer(request.Options);
        var device = model.Trained.Net.parameters().First().device;
        var replayed = known.Length == split.Train.Count
            ? model.Trained
            : DrexTrainer.Replay(model.Trained.Net, data, trainer.Steps(data.TBatches(known)), device);
        var last = known.Length == 0 ? 0 : dataset.Interactions[known[^1]].Timestamp;
        if (known.Length == 0)
        {
            throw new InvalidOperationException("There are no training interactions to train on.");
        }
        var bundle = BundleExporter.Export(
            replayed, data, dataset.UserIds, dataset.ItemIds, known, request.Snapshot, BundleExporter.NewVersion(), encoder,
            new TrainingWatermark(known.Length, lastSequence, last), validation);
        bundle.WriteTo(request.Output);
        if (request.Holdout != "none")
        {
            WriteOfflineReference(request.Output + ".offline", dataset, data, split, replayed, bundle, known);
        }

        AnsiConsole.MarkupLineInterpolated($"Trained {request.Head} on {known.Length} interactions in {watch.Elapsed.TotalSeconds:0.0} s; validation MSE {validMse:0.0000}, MAE {validMae:0.0000}");
        return bundle;
    }

    /// <summary>
    /// The training interactions as an interaction log (to replay through the system), the test interactions, the
    /// trainer's final states and its clamped test predictions: what an online-equals-offline check compares against.
    /// </summary>
    private static void WriteOfflineReference(
        string folder, Dataset dataset, TrainingData data, DatasetSplit split, TrainedDrex trained, ModelBundle bundle, int[] known)
    {
        Directory.CreateDirectory(folder);
        WriteLog(Path.Combine(folder, "train.jsonl"), dataset, known);
        WriteLog(Path.Combine(folder, "test.jsonl"), dataset, split.Test);
        var end = BundleExporter.Export(trained, data, dataset.UserIds, dataset.ItemIds, known, SnapshotPoint.End,
            bundle.Version, bundle.Manifest.Encoder, bundle.Manifest.Watermark, bundle.Manifest.Validation);
        using (var states = File.Create(Path.Combine(folder, "states.bin")))
        {
            end.Snapshot.Write(states);
        }

        var rated = split.Test.Where(x => dataset.Interactions[x].Rating is not null).ToArray();
        var predictions = trained.Predict(rated);
        var mae = rated.Select((x, k) => Math.Abs(predictions[k] - dataset.Interactions[x].Rating!.Value)).DefaultIfEmpty(0).Average();
        File.WriteAllText(Path.Combine(folder, "expected.json"), JsonSerializer.Serialize(new
        {
            version = bundle.Version,
            testMae = mae,
            predictions = rated.Select((x, k) => new { id = LogId(x), user = dataset.Interactions[x].UserId, item = dataset.Interactions[x].ItemId, prediction = predictions[k] }),
        }));
    }

    private static void WriteLog(string path, Dataset dataset, IReadOnlyList<int> interactions)
    {
        using var writer = new InteractionLogWriter(File.Create(path));
        foreach (var x in interactions)
        {
            writer.Append(new InteractionLogRecord(x, dataset.Interactions[x] with { Id = dataset.Interactions[x].Id ?? LogId(x) }));
        }
    }

    private static string LogId(int x) => $"x{x}";
}
