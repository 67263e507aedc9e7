using System.CommandLine;
using Drex.Model.Bundle;
using Drex.Trainer.Training;
using Spectre.Console;

namespace Drex.Trainer.Commands;

/// <summary>
/// `loop`: the periodic trainer. Every minute it looks at the log's head; it retrains from the log and publishes
/// when at least M new interactions arrived, or N minutes passed with any new interaction.
/// </summary>
internal static class LoopCommand
{
    public static Command Create()
    {
        var minutes = new Option<double>("--every-minutes") { Description = "Retrain when this many minutes passed since the last model (and something new arrived).", DefaultValueFactory = _ => 60 };
        var interactions = new Option<long>("--every-interactions") { Description = "Retrain when this many new interactions arrived.", DefaultValueFactory = _ => 10_000 };
        var output = new Option<string>("--out") { Description = "Folder for bundle folders.", DefaultValueFactory = _ => Path.Combine(".drex", "trained") };
        var head = new Option<string>("--head") { Description = "Served head: dot or mlp.", DefaultValueFactory = _ => "dot" };
        var command = new Command("loop", "Retrain from the interaction log and publish, on a schedule.")
        {
            minutes, interactions, output, head, CommonOptions.Cache,
        };
        foreach (var option in CommonOptions.Training.Concat(SystemConnection.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            await using var system = SystemConnection.Open(parse);
            var schedule = new RetrainSchedule(TimeSpan.FromMinutes(parse.GetValue(minutes)), parse.GetValue(interactions), TimeProvider.System);
            // Start from the model the system serves, so a restart does not retrain on what that model already covers.
            if (await system.GetActiveModelAsync(ct) is { } active)
            {
                schedule.Trained(active.Watermark, active.PublishedAt);
            }

            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Min(60, Math.Max(1, parse.GetValue(minutes) * 60 / 4))));
            do
            {
                var logHead = await system.Log.GetHeadAsync(ct);
                if (!schedule.Due(logHead))
                {
                    continue;
                }

                var request = new TrainCommand.TrainRequest(
                    null, Path.Combine(parse.GetValue(output)!, BundleExporter.NewVersion()),
                    parse.GetValue(head) == "mlp" ? RatingHead.Mlp : RatingHead.Dot, "none", SnapshotPoint.End, 1, false, 0,
                    CommonOptions.Trainer(parse),
                    parse.GetValue(CommonOptions.Cache));
                try
                {
                    var bundle = await TrainCommand.RunAsync(request, system, ct);
                    await system.PublishAsync(bundle, ct);
                    schedule.Trained(bundle.Manifest.Watermark.LastSequence, TimeProvider.System.GetUtcNow());
                    AnsiConsole.MarkupLineInterpolated($"Published {bundle.Version} (log up to {bundle.Manifest.Watermark.LastSequence})");
                }
                catch (Exception e) when (e is InvalidOperationException or InvalidDataException or IOException or HttpRequestException)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]Retraining failed:[/] {e.Message}; retrying at the next tick.");
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
            return 0;
        });
        return command;
    }
}

/// <summary>When the periodic trainer should retrain: M new interactions, or N minutes with anything new.</summary>
internal sealed class RetrainSchedule(TimeSpan every, long everyInteractions, TimeProvider time)
{
    private long _trainedUpTo = -1;
    private DateTimeOffset _last = DateTimeOffset.MinValue;

    public bool Due(long logHead)
    {
        var fresh = logHead - _trainedUpTo;
        return fresh > 0 && (fresh >= everyInteractions || time.GetUtcNow() - _last >= every);
    }

    /// <summary>A model covering the log up to <paramref name="upTo"/> was published at <paramref name="at"/>.</summary>
    public void Trained(long upTo, DateTimeOffset at)
    {
        _trainedUpTo = upTo;
        _last = at;
    }
}
