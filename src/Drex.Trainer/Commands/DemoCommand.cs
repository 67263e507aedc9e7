using System.CommandLine;
using Drex.Trainer.Demo;
using Spectre.Console;

namespace Drex.Trainer.Commands;

/// <summary>`demo-data`: writes the synthetic demo dataset (clearly labelled) as Amazon-style JSON lines.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "File to write.", DefaultValueFactory = _ => Path.Combine(".drex", "demo", "demo_reviews.json") };
        var users = new Option<int>("--users") { DefaultValueFactory = _ => 200 };
        var items = new Option<int>("--items") { DefaultValueFactory = _ => 80 };
        var perUser = new Option<int>("--per-user") { DefaultValueFactory = _ => 12 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var command = new Command("demo-data", "Write a SYNTHETIC demo dataset with planted tastes and review words.") { output, users, items, perUser, seed };
        command.SetAction(parse =>
        {
            var data = DemoDataset.Generate(parse.GetValue(users), parse.GetValue(items), parse.GetValue(perUser), parse.GetValue(seed));
            DemoDataset.WriteAmazonJson(parse.GetValue(output)!, data);
            AnsiConsole.MarkupLineInterpolated($"Wrote {data.Count} SYNTHETIC demo interactions to {parse.GetValue(output)}");
            return 0;
        });
        return command;
    }
}
