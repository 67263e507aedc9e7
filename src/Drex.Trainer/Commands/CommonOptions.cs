using System.CommandLine;
using Drex.Model.Bundle;
using Drex.Model.Text;
using Drex.Trainer.Data;
using Drex.Trainer.Training;
using Spectre.Console;

namespace Drex.Trainer.Commands;

/// <summary>Options shared by the trainer's commands and the steps they share: loading and encoding a dataset.</summary>
internal static class CommonOptions
{
    public static readonly Option<string> Data = new("--data")
    {
        Description = "Dataset file or folder: Amazon reviews (.json/.json.gz, 2014/2018/2023 layouts), a MovieLens folder, or a Drex interaction log (.jsonl).",
        Required = true,
    };

    public static readonly Option<string?> OptionalData = new("--data")
    {
        Description = "Dataset file or folder: Amazon reviews (.json/.json.gz, 2014/2018/2023 layouts), a MovieLens folder, or a Drex interaction log (.jsonl).",
    };

    public static readonly Option<int> KCore = new("--kcore") { Description = "Keep only users and items with at least this many interactions (0: off).", DefaultValueFactory = _ => 0 };

    public static readonly Option<string> Device = DeviceOption();

    public static readonly Option<int> Epochs = new("--epochs") { Description = "Most training epochs (early stopping picks the best).", DefaultValueFactory = _ => new TrainerOptions().MaxEpochs };

    public static readonly Option<string?> Cache = new("--cache") { Description = "Folder of the review encoder's cache (default .drex/cache/encoder)." };

    public static readonly Option<double> AuxTextLoss = new("--aux-text-loss")
    {
        Description = "Weight of the auxiliary loss reading each review's rating from its text feature (0: off).",
        DefaultValueFactory = _ => new TrainerOptions().AuxTextLoss,
    };

    public static readonly Option<bool> OutOfFoldHead = new("--oof-head")
    {
        Description = "Dot head: refit [p*q; p; q] readouts by ridge on out-of-fold states (strength chosen on validation); --oof-head false: the validation calibration.",
        DefaultValueFactory = _ => new TrainerOptions().OutOfFoldHead,
    };

    public static readonly Option<bool> SentimentAttention = new("--sentiment-attention")
    {
        Description = "A second, sentiment attention whose feature is fused next to the keyword attention's and is all the auxiliary text loss reads; --sentiment-attention false: the auxiliary loss reads the keyword attention's feature.",
        DefaultValueFactory = _ => new TrainerOptions().SentimentAttention,
    };

    /// <summary>The options every command that trains DReX takes (evaluate, train, loop); read with <see cref="Trainer"/>.</summary>
    public static IEnumerable<Option> Training => [Device, Epochs, AuxTextLoss, OutOfFoldHead, SentimentAttention];

    /// <summary>The trainer settings the <see cref="Training"/> options give.</summary>
    public static TrainerOptions Trainer(ParseResult parse) => new()
    {
        Device = parse.GetValue(Device)!,
        MaxEpochs = parse.GetValue(Epochs),
        AuxTextLoss = parse.GetValue(AuxTextLoss),
        OutOfFoldHead = parse.GetValue(OutOfFoldHead),
        SentimentAttention = parse.GetValue(SentimentAttention),
    };

    public static Dataset LoadDataset(string path, int kcore)
    {
        var loaded = DatasetLoader.Load(path);
        var dataset = Dataset.Build(loaded.Interactions, new DatasetOptions(Deduplicate: true, KCore: kcore));
        var r = loaded.Report;
        AnsiConsole.MarkupLineInterpolated(
            $"Loaded {r.Format} from {r.Path}: {r.Rows} rows, {r.SkippedRows} skipped; {dataset.Count} interactions, {dataset.UserCount} users, {dataset.ItemCount} items ({dataset.Preparation.DuplicatesDropped} duplicates, {dataset.Preparation.KCoreDropped} dropped by k-core) in {r.Elapsed.TotalSeconds:0.00} s");
        return dataset;
    }

    /// <summary>Encodes every distinct review once, through the on-disk cache, with a progress bar.</summary>
    public static (ReviewLibrary Library, string EncoderIdentity) Encode(Dataset dataset, string? cacheDirectory, CancellationToken ct)
    {
        using var encoder = ReviewEncoder.LoadEmbedded();
        using var cache = new EncoderCache(encoder, cacheDirectory is null ? null : new EncoderCacheOptions { Directory = cacheDirectory });
        var texts = dataset.Interactions.Where(x => x.HasReview).Select(x => x.Review).Distinct().Count();
        ReviewLibrary library = null!;
        var started = DateTime.UtcNow;
        AnsiConsole.Progress().Start(ctx =>
        {
            var task = ctx.AddTask("Encoding reviews", maxValue: Math.Max(1, texts));
            library = ReviewLibrary.Encode(dataset, cache, new SyncProgress<int>(n => task.Value = n), ct);
            task.Value = task.MaxValue;
        });
        AnsiConsole.MarkupLineInterpolated(
            $"Encoded {texts} distinct reviews in {(DateTime.UtcNow - started).TotalSeconds:0.0} s ({cache.Hits} cached, {cache.Misses} new; {cache.Identity})");
        return (library, cache.Identity);
    }

    /// <summary>--device: cpu, cuda or auto; cuda is refused at parse time, before any data loads, where CUDA is not usable.</summary>
    private static Option<string> DeviceOption()
    {
        var option = new Option<string>("--device") { Description = "cpu, cuda or auto (CUDA when usable, else CPU).", DefaultValueFactory = _ => "auto" };
        option.AcceptOnlyFromAmong("cpu", "cuda", "auto");
        option.Validators.Add(result =>
        {
            if (result.Tokens is [.., { Value: "cuda" }] && !DrexTrainer.CudaAvailable)
            {
                result.AddError(
                    "--device cuda: CUDA is not usable here (torch.cuda.is_available() is false). It needs a GPU and a CUDA " +
                    "libtorch (build with -p:DrexTorchBackend=cuda or system; see docs/GPU.md). Use --device cpu or auto.");
            }
        });
        return option;
    }

    public static ModelSettings ModelShape(bool sharedCells) => new() { SharedCells = sharedCells };
}
